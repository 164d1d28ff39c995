package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.api.ApiServer;
import io.rampart.api.PendingConfirmation;
import io.rampart.api.RampartService;
import io.rampart.api.ServerOptions;
import io.rampart.api.ServerToken;
import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line and the HTTP API run the same use cases: for the same ruleset on the same kernel
 * they plan the same, apply the same, report the same status, and fail alike (the command line's exit
 * code is the API's {@code exit}, with the HTTP status of its category). Where a file's path appears
 * on the command line, the API says {@code request}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FrontEndsAgreeKernelTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FileAttribute<Set<PosixFilePermission>> ROOT_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final String TOKEN = "fedcba9876543210fedcba9876543210";

    /** What the kernel holds before each test, and the file the server compares with. */
    private static final String LIVE = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :SSH - [0:0]
            -A INPUT -p tcp -m tcp --dport 22 -j SSH
            -A SSH -s 192.0.2.0/24 -j ACCEPT
            COMMIT
            """;

    /** What both front ends are asked to bring the kernel to. */
    private static final String WANTED = """
            *filter
            :INPUT DROP [0:0]
            :SSH - [0:0]
            :WEB - [0:0]
            -A INPUT -i lo -j ACCEPT
            -A INPUT -p tcp --dport ssh -j SSH
            -A INPUT -p tcp -m multiport --dports 80,443 -j WEB
            -A SSH -s 198.51.100.0/24 -j ACCEPT
            -A WEB -j ACCEPT
            COMMIT
            """;

    @TempDir
    static Path dir;

    private static Netns netns;
    private static String name;
    private static Path liveFile;
    private static ApiServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** An answer of the API: its HTTP status and JSON body. */
    private record Answer(int status, JsonNode json) {
    }

    @BeforeAll
    static void start() throws IOException {
        KernelTestSupport.requireKernel();
        netns = Netns.throwaway("agree", ProcessRunner.system());
        name = netns.name().orElseThrow();
        liveFile = dir.resolve("live.rules");
        Files.writeString(liveFile, LIVE);
        RampartService service = new RampartService(name, Family.IPV4, liveFile, ProcessRunner.system(),
                NameDatabase.system(), null,
                Main.class.getName());
        server = ApiServer.start(service, new ServerOptions(new InetSocketAddress("127.0.0.1", 0), null, null,
                ServerToken.of(TOKEN), ServerOptions.DEFAULT_MAX_BODY), ProcessRunner.system());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (netns != null) {
            Run.of("rollback", "--netns", name); // a failed test may leave a confirmation pending
            netns.close();
        }
    }

    @BeforeEach
    void restoreLive() {
        ProcessResult restored = netns.run(List.of("iptables-restore"), LIVE);
        assertThat(restored.ok()).as(restored.stderr()).isTrue();
    }

    @Test
    void theSameRulesetPlansTheSame() throws Exception {
        Path file = file("want.rules", WANTED);
        String before = saved();
        Run cli = Run.of("plan", "--json", "--netns", name, file.toString());
        assertThat(cli.exitCode()).as(cli.err()).isEqualTo(ExitCode.OK);
        Answer http = post("/api/plan", Map.of("text", WANTED));
        assertThat(http.status()).as(http.json().toString()).isEqualTo(200);
        assertThat(http.json().get("changes")).isNotEmpty();
        assertThat(http.json()).isEqualTo(asRequest(cli.out(), file));
        assertThat(saved()).isEqualTo(before);
    }

    @Test
    void theSameRulesetAppliesTheSame() throws Exception {
        Path file = file("want.rules", WANTED);
        Run cli = Run.of("apply", "--json", "--netns", name, file.toString());
        assertThat(cli.exitCode()).as(cli.err()).isEqualTo(ExitCode.OK);
        String afterCli = saved();
        restoreLive();
        Answer http = post("/api/apply", Map.of("text", WANTED));
        assertThat(http.status()).as(http.json().toString()).isEqualTo(200);
        assertThat(saved()).isEqualTo(afterCli);
        assertThat(Run.of("status", "--netns", name, file.toString()).exitCode()).isEqualTo(ExitCode.OK);
        JsonNode applied = asRequest(cli.out(), file);
        for (String field : List.of("changed", "plan", "backend", "kernelNotes", "confirmation")) {
            assertThat(http.json().get(field)).as(field).isEqualTo(applied.get(field));
        }
        assertThat(http.json().get("changed").asBoolean()).isTrue();
    }

    @Test
    void theSameFileHasTheSameStatusInSyncAndAfterDrift() throws Exception {
        Run inSync = Run.of("status", "--json", "--netns", name, liveFile.toString());
        assertThat(inSync.exitCode()).as(inSync.err()).isEqualTo(ExitCode.OK);
        Answer httpInSync = get("/api/status");
        assertThat(httpInSync.json()).isEqualTo(JSON.readTree(inSync.out()));
        assertThat(httpInSync.json().get("inSync").asBoolean()).isTrue();

        ProcessResult drift = netns.run(List.of("iptables", "-D", "SSH", "1"), "");
        assertThat(drift.ok()).as(drift.stderr()).isTrue();
        Run drifted = Run.of("status", "--json", "--netns", name, liveFile.toString());
        assertThat(drifted.exitCode()).isEqualTo(ExitCode.DRIFT);
        Answer httpDrifted = get("/api/status");
        assertThat(httpDrifted.status()).isEqualTo(200);
        assertThat(httpDrifted.json()).isEqualTo(JSON.readTree(drifted.out()));
        assertThat(httpDrifted.json().get("inSync").asBoolean()).isFalse();
    }

    @Test
    void aRuleTheLanguageRefusesIsBadInputForBoth() throws Exception {
        String text = WANTED.replace("--dport ssh", "--dprot ssh");
        String before = saved();
        Run cli = Run.of("apply", "--netns", name, file("bad.rules", text).toString());
        Answer http = post("/api/apply", Map.of("text", text));
        assertSameFailure(cli, http, ExitCode.BAD_INPUT, 400);
        assertThat(cli.err()).contains("bad.rules:6:17: error: unknown option --dprot");
        assertThat(http.json().get("error").asText()).contains("request:6:17: error: unknown option --dprot");
        assertThat(saved()).isEqualTo(before);
    }

    @Test
    void aPlanThatCannotBeMadeIsTheSameBadInputForBoth() throws Exception {
        String text = WANTED.replace(":WEB - [0:0]", ":WEB - [0:0]\n:RAMPART-MANAGED - [0:0]");
        Path file = file("own.rules", text);
        Run cli = Run.of("plan", "--netns", name, file.toString());
        Answer http = post("/api/plan", Map.of("text", text));
        assertSameFailure(cli, http, ExitCode.BAD_INPUT, 400);
        assertThat(cli.err()).isEqualTo("rampart: " + file + ": chain RAMPART-MANAGED is Rampart's own bookkeeping;"
                + " name yours otherwise\n");
        assertThat(http.json().get("error").asText()).isEqualTo("request: chain RAMPART-MANAGED is Rampart's own"
                + " bookkeeping; name yours otherwise");
    }

    @Test
    void aKernelRefusalIsTheSameSystemFailureForBoth() throws Exception {
        String text = WANTED.replace("-A SSH -s 198.51.100.0/24", "-A SSH -m set --match-set rampart-no-set src");
        Path file = file("refused.rules", text);
        String before = saved();
        Run cli = Run.of("apply", "--netns", name, file.toString());
        Answer http = post("/api/apply", Map.of("text", text));
        assertSameFailure(cli, http, ExitCode.SYSTEM, 500);
        assertThat(cli.err()).isEqualTo("rampart: " + http.json().get("error").asText()
                .replace("request:", file + ":") + "\n");
        assertThat(cli.err()).contains(file + ":8: the kernel refused");
        assertThat(saved()).isEqualTo(before);
    }

    @Test
    void bothRefuseToApplyWhileAConfirmationIsPendingAndEndItAlike() throws Exception {
        Path file = file("want.rules", WANTED);
        Answer armed = post("/api/apply", Map.of("text", WANTED, "confirm", "120s"));
        assertThat(armed.status()).as(armed.json().toString()).isEqualTo(200);
        assertThat(armed.json().get("confirmation").get("confirm").asText()).isEqualTo("POST /api/confirm?family=ipv4");

        Run cli = Run.of("apply", "--netns", name, file.toString());
        Answer http = post("/api/apply", Map.of("text", WANTED));
        assertSameFailure(cli, http, ExitCode.SYSTEM, 500);
        assertThat(cli.err()).isEqualTo("rampart: " + http.json().get("error").asText() + "\n")
                .contains("awaits confirmation");

        Run confirmed = Run.of("confirm", "--netns", name);
        assertThat(confirmed.exitCode()).as(confirmed.err()).isEqualTo(ExitCode.OK);
        assertThat(Run.of("status", "--netns", name, file.toString()).exitCode()).isEqualTo(ExitCode.OK);
        Run again = Run.of("confirm", "--netns", name);
        Answer httpAgain = post("/api/confirm", Map.of());
        assertSameFailure(again, httpAgain, ExitCode.BAD_INPUT, 400);
        assertThat(again.err()).isEqualTo("rampart: " + httpAgain.json().get("error").asText() + "\n");
        Run rollback = Run.of("rollback", "--netns", name);
        Answer httpRollback = post("/api/rollback", Map.of());
        assertSameFailure(rollback, httpRollback, ExitCode.BAD_INPUT, 400);
    }

    /**
     * What an apply killed between reserving its confirmation and recording it leaves: both refuse to
     * apply over it, and a confirm from either clears it (over HTTP it used to stay, refusing applies).
     */
    @Test
    void aConfirmationReservedButNeverRecordedIsClearedByAConfirmFromEither() throws Exception {
        Path reserved = Path.of(PendingConfirmation.ROOT, "netns-" + name + ".ipv4");
        Files.createDirectories(reserved, ROOT_ONLY);
        Path file = file("want.rules", WANTED);
        Run cli = Run.of("apply", "--netns", name, file.toString());
        Answer http = post("/api/apply", Map.of("text", WANTED));
        assertSameFailure(cli, http, ExitCode.SYSTEM, 500);
        assertThat(cli.err()).isEqualTo("rampart: " + http.json().get("error").asText() + "\n")
                .contains("awaits confirmation");

        assertSameFailure(Run.of("confirm", "--netns", name), post("/api/confirm", Map.of()), ExitCode.BAD_INPUT,
                400);
        assertThat(reserved).doesNotExist();
        Files.createDirectories(reserved, ROOT_ONLY);
        Answer httpConfirm = post("/api/confirm", Map.of());
        assertThat(httpConfirm.status()).isEqualTo(400);
        assertThat(reserved).doesNotExist();
        Answer applied = post("/api/apply", Map.of("text", WANTED));
        assertThat(applied.status()).as(applied.json().toString()).isEqualTo(200);
    }

    private static void assertSameFailure(Run cli, Answer http, int exitCode, int status) {
        assertThat(cli.exitCode()).as(cli.err()).isEqualTo(exitCode);
        assertThat(http.json().get("exit").asInt()).as(http.json().toString()).isEqualTo(exitCode);
        assertThat(http.status()).isEqualTo(status);
    }

    /** The command line's JSON as the API would say it: the file's path is the request. */
    private static JsonNode asRequest(String cliJson, Path file) throws IOException {
        return JSON.readTree(cliJson.replace(file.toString(), "request"));
    }

    private static Path file(String fileName, String text) throws IOException {
        Path file = dir.resolve(fileName);
        Files.writeString(file, text);
        return file;
    }

    /** The kernel's filter table, without counters or comments. */
    private static String saved() {
        return canonical(netns.run(List.of("iptables-save", "-t", "filter"), "").stdout());
    }

    private static String canonical(String saved) {
        StringBuilder out = new StringBuilder();
        saved.lines().filter(line -> !line.startsWith("#"))
                .forEach(line -> out.append(line.replaceAll("\\[\\d+:\\d+\\]", "")).append('\n'));
        return out.toString();
    }

    private static Answer get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(server.url() + path.substring(1))).GET().build());
    }

    private static Answer post(String path, Map<String, String> body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(server.url() + path.substring(1)))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build());
    }

    private static Answer send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), JSON.readTree(response.body()));
    }
}
