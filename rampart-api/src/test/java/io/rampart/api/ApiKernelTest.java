package io.rampart.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The JSON API against a throwaway namespace holding a known ruleset; one server for the class. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ApiKernelTest {

    static final String RULES = """
            *nat
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A OUTPUT -d 198.51.100.7/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 127.0.0.1:80
            COMMIT
            *filter
            :INPUT DROP [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :SSH - [0:0]
            -A INPUT -i lo -p udp -j ACCEPT
            -A INPUT -p tcp -m tcp --dport 22 -j SSH
            -A INPUT -p tcp -m tcp --dport 80 -j ACCEPT
            -A SSH -s 192.0.2.0/24 -j ACCEPT
            COMMIT
            """;

    @TempDir
    static Path dir;

    static Netns netns;
    static ApiServer server;
    static ApiClient api;
    static Path file;
    static final String TOKEN = "0123456789abcdef0123456789abcdef";

    @BeforeAll
    static void start() throws IOException {
        KernelTestSupport.requireKernel();
        netns = Netns.throwaway("api", ProcessRunner.system());
        network(netns);
        file = dir.resolve("host.rules");
        Files.writeString(file, RULES);
        restore(RULES);
        RampartService service = new RampartService(netns.name().orElseThrow(), Family.IPV4, file,
                ProcessRunner.system(), NameDatabase.system());
        server = ApiServer.start(service, new ServerOptions(new InetSocketAddress("127.0.0.1", 0), null, null,
                ServerToken.of(TOKEN), ServerOptions.DEFAULT_MAX_BODY), ProcessRunner.system());
        api = new ApiClient(HttpClient.newHttpClient(), server.url());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (netns != null) {
            netns.close();
        }
    }

    /** An interface with an address and a default route, so that packets have somewhere to go. */
    static void network(Netns netns) {
        for (String command : List.of("ip link add eth0 type veth peer name eth1",
                "ip addr add 203.0.113.1/24 dev eth0",
                "ip link set eth1 up", "ip link set eth0 up", "ip route add default via 203.0.113.254")) {
            ProcessResult result = netns.run(List.of(command.split(" ")), "");
            assertThat(result.ok()).as(command + ": " + result.stderr()).isTrue();
        }
    }

    static void restore(String rules) {
        ProcessResult restored = netns.run(List.of("iptables-restore"), rules);
        assertThat(restored.ok()).as(restored.stderr()).isTrue();
    }

    static String saved() {
        return netns.run(List.of("iptables-save"), "").stdout().lines().filter(l -> !l.startsWith("#"))
                .map(l -> l.replaceAll("\\[\\d+:\\d+\\]", "")).reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void liveRulesetIsTheKernelsWithCountersAndFileLines() throws Exception {
        ProcessResult datagram = netns.run(List.of("bash", "-c", "echo hello > /dev/udp/127.0.0.1/9"), "");
        assertThat(datagram.ok()).as(datagram.stderr()).isTrue();
        JsonNode live = api.get("/api/ruleset").json();
        assertThat(live.get("family").asText()).isEqualTo("ipv4");
        assertThat(live.get("file").asText()).isEqualTo(file.toString());
        JsonNode input = chain(live, "filter", "INPUT");
        assertThat(input.get("policy").asText()).isEqualTo("DROP");
        assertThat(input.get("hook").asText()).isEqualTo("INPUT");
        List<String> kernelInput = netns.run(List.of("iptables-save", "-t", "filter"), "").stdout().lines()
                .filter(l -> l.startsWith("-A INPUT ")).toList();
        assertThat(input.get("rules").findValuesAsText("text")).isEqualTo(kernelInput);
        assertThat(input.get("rules").get(1).get("jump").asText()).isEqualTo("jump");
        assertThat(input.get("rules").get(1).get("target").asText()).isEqualTo("SSH");
        assertThat(input.get("rules").get(2).get("source").asText()).isEqualTo(file + ":13");
        // The kernel counted the datagram sent over lo: the API shows its counter.
        assertThat(input.get("rules").get(0).get("packets").asLong()).isEqualTo(kernelCounter("INPUT", 1));
        assertThat(input.get("rules").get(0).get("packets").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(chain(live, "filter", "SSH").has("hook")).isFalse();
    }

    @Test
    void chainsOneChainAndSearchAnswerAsTheKernelHolds() throws Exception {
        ProcessResult datagram = netns.run(List.of("bash", "-c", "echo hello > /dev/udp/127.0.0.1/9"), "");
        assertThat(datagram.ok()).as(datagram.stderr()).isTrue();
        List<String> saved = netns.run(List.of("iptables-save", "-t", "filter"), "").stdout().lines().toList();
        JsonNode outline = api.get("/api/chains").json();
        JsonNode filter = table(outline, "filter");
        List<String> userChains = saved.stream().filter(l -> l.startsWith(":") && !l.startsWith(":RAMPART-MANAGED "))
                .map(l -> l.substring(1, l.indexOf(' '))).toList();
        assertThat(filter.get("chains").findValuesAsText("name")).containsAll(userChains);
        JsonNode input = filter.get("chains").get(0);
        assertThat(input.get("name").asText()).isEqualTo("INPUT");
        assertThat(input.get("rules").asInt()).isEqualTo(saved.stream().filter(l -> l.startsWith("-A INPUT ")).count());
        assertThat(input.get("jumps").get(0).get("target").asText()).isEqualTo("SSH");

        JsonNode chain = api.get("/api/chain?table=filter&chain=INPUT").json().get("chain");
        assertThat(chain.get("rules").findValuesAsText("text"))
                .isEqualTo(saved.stream().filter(l -> l.startsWith("-A INPUT ")).toList());
        // Counters are read when the chain is asked for: the datagram just sent over lo is counted.
        assertThat(chain.get("rules").get(0).get("packets").asLong()).isEqualTo(kernelCounter("INPUT", 1))
                .isGreaterThanOrEqualTo(1);
        ApiClient.Response missing = api.get("/api/chain?table=filter&chain=SHH");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("error").asText()).isEqualTo("no chain `SHH' in table filter (did you mean SSH?)");

        JsonNode port = api.get("/api/search?q=22").json();
        assertThat(port.get("as").asText()).isEqualTo("port");
        assertThat(port.get("hits").findValuesAsText("text"))
                .isEqualTo(saved.stream().filter(l -> l.matches("-A .* --dport 22( .*)?")).toList());
        JsonNode address = api.get("/api/search?q=192.0.2.9").json();
        assertThat(address.get("hits").findValuesAsText("text"))
                .isEqualTo(saved.stream().filter(l -> l.contains(" -s 192.0.2.0/24 ")).toList());
    }

    @Test
    void searchFollowsAHandMadeChangeOnceTheKernelReportsIt() throws Exception {
        try {
            netns.run(List.of("iptables", "-A", "SSH", "-s", "203.0.113.77/32", "-j", "ACCEPT"), "");
            // The search answers from the rules as last read, which the kernel's change report renews.
            long deadline = System.nanoTime() + 10_000_000_000L;
            List<String> found = List.of();
            while (found.isEmpty() && System.nanoTime() < deadline) {
                found = api.get("/api/search?q=203.0.113.77").json().get("hits").findValuesAsText("text");
                Thread.sleep(found.isEmpty() ? 50 : 0);
            }
            assertThat(found).containsExactly("-A SSH -s 203.0.113.77/32 -j ACCEPT");
        } finally {
            restore(RULES);
        }
    }

    private static JsonNode table(JsonNode outline, String name) {
        for (JsonNode t : outline.get("tables")) {
            if (t.get("table").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no table " + name + " in " + outline);
    }

    static JsonNode chain(JsonNode live, String table, String name) {
        for (JsonNode t : live.get("tables")) {
            if (t.get("table").asText().equals(table)) {
                for (JsonNode c : t.get("chains")) {
                    if (c.get("name").asText().equals(name)) {
                        return c;
                    }
                }
            }
        }
        throw new AssertionError("no chain " + table + " " + name + " in " + live);
    }

    /** The packet counter of rule {@code number} of a filter chain, as iptables-save -c prints it. */
    static long kernelCounter(String chain, int number) {
        List<String> lines = netns.run(List.of("iptables-save", "-c", "-t", "filter"), "").stdout().lines()
                .filter(l -> l.contains("-A " + chain + " ")).toList();
        Matcher counters = Pattern.compile("\\[(\\d+):\\d+\\]").matcher(lines.get(number - 1));
        assertThat(counters.find()).isTrue();
        return Long.parseLong(counters.group(1));
    }

    @Test
    void theFileIsReadThroughTheRulesetLanguage() throws IOException {
        Path language = dir.resolve("language.rules");
        String text = "define WEB = 80\n" + RULES.replace("--dport 80 -j", "--dport $WEB -j");
        Files.writeString(language, text);
        RampartService service = new RampartService(netns.name().orElseThrow(), Family.IPV4, language,
                ProcessRunner.system(), NameDatabase.system());
        assertThat(service.status().inSync()).isTrue();
        int line = text.lines().toList().indexOf("-A INPUT -p tcp -m tcp --dport $WEB -j ACCEPT") + 1;
        LiveRulesetResult.ChainView input = service.live(null).tables().stream()
                .filter(t -> t.table().equals("filter")).findFirst().orElseThrow().chains().stream()
                .filter(c -> c.name().equals("INPUT")).findFirst().orElseThrow();
        assertThat(input.rules().get(2).source()).isEqualTo(language + ":" + line);
    }

    @Test
    void extensionsWithOptionsAndHelp() throws Exception {
        JsonNode tcp = api.get("/api/extensions?name=tcp").json();
        assertThat(tcp.isArray()).isTrue();
        assertThat(tcp.get(0).get("name").asText()).isEqualTo("tcp");
        assertThat(tcp.get(0).get("options").findValuesAsText("name")).contains("--dport", "--tcp-flags");
        assertThat(api.get("/api/extensions").json().size()).isGreaterThan(50);
        ApiClient.Response unknown = api.get("/api/extensions?name=tpc");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("error").asText()).isEqualTo("unknown extension `tpc' (did you mean tcp?)");
        assertThat(unknown.json().get("exit").asInt()).isEqualTo(1);
    }

    @Test
    void checkNamesLineAndColumnAsTheCommandLineDoes() throws Exception {
        String bad = RULES.replace("--dport 22", "--dprot 22");
        JsonNode result = api.post("/api/check", Map.of("text", bad), null).json();
        assertThat(result.get("ok").asBoolean()).isFalse();
        JsonNode finding = result.get("diagnostics").get(0);
        assertThat(finding.get("line").asInt()).isEqualTo(12);
        assertThat(finding.get("column").asInt()).isEqualTo(24);
        assertThat(finding.get("hint").asText()).isEqualTo("did you mean --dport?");
        assertThat(finding.get("located").asText())
                .startsWith("request:12:24: error: unknown option --dprot\n"
                        + "  -A INPUT -p tcp -m tcp --dprot 22 -j SSH\n")
                .endsWith("^\n  hint: did you mean --dport?");
        assertThat(api.post("/api/check", Map.of("text", RULES), null).json().get("ok").asBoolean()).isTrue();

        ApiClient.Response plan = api.post("/api/plan", Map.of("text", bad), null);
        assertThat(plan.status()).isEqualTo(400);
        assertThat(plan.json().get("error").asText()).isEqualTo(finding.get("located").asText());
    }

    @Test
    void checkFindsWhatOnlyTheWholeRulesetShows() throws Exception {
        String loop = """
                *filter
                :INPUT DROP [0:0]
                :A - [0:0]
                :B - [0:0]
                -A INPUT -j A
                -A A -p tcp -j B
                -A B -g A
                -A INPUT -j DROP
                -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
                COMMIT
                """;
        JsonNode result = api.post("/api/check", Map.of("text", loop), null).json();
        assertThat(result.get("ok").asBoolean()).isFalse();
        List<String> found = new java.util.ArrayList<>();
        result.get("diagnostics").forEach(d -> found.add(d.get("severity").asText() + " " + d.get("line").asInt()
                + " " + d.get("message").asText().split(":")[0]));
        assertThat(found).containsExactly("error 7 jump loop A -> B -> A", "warning 9 rule never matches");
        ApiClient.Response plan = api.post("/api/plan", Map.of("text", loop), null);
        assertThat(plan.status()).isEqualTo(400);
        assertThat(plan.json().get("error").asText()).startsWith("request:7:").contains("jump loop A -> B -> A")
                .doesNotContain("never matches");
    }

    @Test
    void canonConvertsTextToTheRuleModelAndTheModelBackToText() throws Exception {
        JsonNode fromText = api.post("/api/canon", Map.of("text", "-A INPUT -p tcp --dport ssh -j ACCEPT\n"
                + "-A INPUT -p tcp --dprot 22 -j ACCEPT\n"), null).json();
        assertThat(fromText.get("ok").asBoolean()).isFalse();
        JsonNode first = fromText.get("lines").get(0);
        assertThat(first.get("canonical").get(0).asText()).isEqualTo("-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT");
        assertThat(fromText.get("lines").get(1).get("error").asText()).contains("did you mean --dport?");
        assertThat(fromText.get("lines").get(1).get("column").asInt()).isEqualTo(17);

        // A program builds a rule as data: the model of the first line with another port.
        com.fasterxml.jackson.databind.node.ObjectNode rule = first.get("rules").get(0).deepCopy();
        rule.findParents("name").stream().filter(o -> o.get("name").asText().equals("dport"))
                .forEach(o -> ((com.fasterxml.jackson.databind.node.ObjectNode) o).putArray("args").add("80"));
        JsonNode fromModel = api.post("/api/canon", Map.of("rules", List.of(rule)), null).json();
        assertThat(fromModel.get("ok").asBoolean()).isTrue();
        assertThat(fromModel.get("lines").get(0).get("canonical").get(0).asText())
                .isEqualTo("-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT");
        ApiClient.Response both = api.post("/api/canon", Map.of("text", "", "rules", List.of()), null);
        assertThat(both.json().get("error").asText())
                .isEqualTo("give the rules as \"text\" or as \"rules\", one of them");
    }

    @Test
    void planShowsWhatApplyWouldChangeAndChangesNothing() throws Exception {
        String before = saved();
        String other = RULES.replace("--dport 80 -j", "--dport 443 -j");
        JsonNode plan = api.post("/api/plan", Map.of("text", other), null).json();
        assertThat(plan.get("source").asText()).isEqualTo("request");
        JsonNode change = plan.get("changes").get(0);
        assertThat(change.get("chain").asText()).isEqualTo("INPUT");
        assertThat(change.get("rules").get(0).get("kind").asText()).isEqualTo("REPLACED");
        assertThat(change.get("rules").get(0).get("rule").asText())
                .isEqualTo("-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT");
        assertThat(change.get("rules").get(0).get("source").asText()).isEqualTo("request:13");
        assertThat(saved()).isEqualTo(before);
    }

    @Test
    void requestTextIsTheRulesetLanguageWithoutIncludes() throws Exception {
        String text = "define WEB = {80, 8080}\n" + RULES.replace("--dport 80 -j", "--dport $WEB -j");
        JsonNode plan = api.post("/api/plan", Map.of("text", text), null).json();
        JsonNode change = plan.get("changes").get(0);
        assertThat(change.get("chain").asText()).isEqualTo("INPUT");
        assertThat(change.get("rules")).hasSize(1);
        assertThat(change.get("rules").get(0).get("kind").asText()).isEqualTo("ADDED");
        assertThat(change.get("rules").get(0).get("rule").asText())
                .isEqualTo("-A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT");
        assertThat(change.get("rules").get(0).get("source").asText()).isEqualTo("request:14");

        ApiClient.Response included = api.post("/api/plan", Map.of("text", "include \"" + file + "\"\n"), null);
        assertThat(included.status()).isEqualTo(400);
        assertThat(included.json().get("error").asText())
                .startsWith("request:1:1: error: includes are not allowed in request text");
    }

    @Test
    void applyNeedsTheTokenAndABodyWithinTheLimit() throws Exception {
        String before = saved();
        Map<String, String> body = Map.of("text", RULES.replace("--dport 80 -j", "--dport 8443 -j"));
        ApiClient.Response none = api.post("/api/apply", body, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json().get("error").asText()).contains("Authorization: Bearer");
        assertThat(api.post("/api/apply", body, "wrong-" + TOKEN).status()).isEqualTo(401);
        byte[] big = ("{\"text\": \"" + "#".repeat(ServerOptions.DEFAULT_MAX_BODY) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        ApiClient.Response tooBig = api.postRaw("/api/check", big, null);
        assertThat(tooBig.status()).isEqualTo(413);
        assertThat(tooBig.json().get("error").asText()).isEqualTo("the request body is larger than 1048576 bytes");
        assertThat(api.postRaw("/api/apply", big, TOKEN).status()).isEqualTo(413);
        assertThat(ApiClient.rawStatusLine(server.address().getPort(), "POST /api/apply HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Authorization: Bearer " + TOKEN + "\r\nContent-Length: 1000000000\r\n\r\n"))
                .startsWith("HTTP/1.1 413");
        assertThat(saved()).isEqualTo(before);
    }

    @Test
    void badRequestsAreJsonErrors() throws Exception {
        ApiClient.Response notJson = api.postRaw("/api/plan", "{\"txt\": 1}".getBytes(StandardCharsets.UTF_8), null);
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().get("error").asText()).contains("not the JSON this endpoint takes").contains("txt");
        assertThat(api.get("/api/nothing").status()).isEqualTo(404);
        ApiClient.Response method = api.get("/api/apply");
        assertThat(method.status()).isEqualTo(405);
        assertThat(method.json().get("exit").asInt()).isEqualTo(2);
        ApiClient.Response family = api.get("/api/ruleset?family=ipx");
        assertThat(family.json().get("error").asText()).isEqualTo("family must be ipv4 or ipv6, not `ipx'");
        // A page elsewhere whose name resolves to 127.0.0.1 must not read the API.
        assertThat(ApiClient.rawStatusLine(server.address().getPort(),
                "GET /api/info HTTP/1.1\r\nHost: rebind.example:8080\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 403");
    }

    @Test
    void traceDecidesAsTheKernelCounts() throws Exception {
        ApiClient.Response traced = api.post("/api/trace", Map.of("packet", Map.of("in", "lo", "src", "127.0.0.1",
                "dst", "127.0.0.1", "dport", "80")), null);
        assertThat(traced.status()).as(traced.body()).isEqualTo(200);
        JsonNode trace = traced.json();
        assertThat(trace.get("verdict").asText()).isEqualTo("ACCEPT");
        List<String> accepting = new java.util.ArrayList<>();
        trace.get("steps").forEach(step -> {
            if (step.get("table").asText().equals("filter") && step.get("verdict").asText().equals("ACCEPT")) {
                accepting.add(step.get("chain").asText() + " " + step.get("rule").asText());
            }
        });
        assertThat(accepting).containsExactly("INPUT 3");
        // A real SYN to port 80 over lo: the kernel counts it on the rule the tracer named.
        long before = kernelCounter("INPUT", 3);
        netns.run(List.of("timeout", "2", "bash", "-c", "echo > /dev/tcp/127.0.0.1/80"), "");
        assertThat(kernelCounter("INPUT", 3)).isGreaterThan(before);

        JsonNode nat = api.post("/api/trace", Map.of("packet", Map.of("local", "true", "src", "203.0.113.1",
                "dst", "198.51.100.7", "dport", "8080")), null).json();
        assertThat(nat.get("packet").get("dst").asText()).isEqualTo("127.0.0.1");
        assertThat(nat.get("packet").get("dport").asInt()).isEqualTo(80);
        ApiClient.Response unknownKey = api.post("/api/trace", Map.of("packet", Map.of("dprot", "80")), null);
        assertThat(unknownKey.json().get("error").asText()).startsWith("unknown key `dprot'");
    }

    @Test
    void twoAppliesAtOnceBothSucceedAndTheKernelHoldsOneOfThem() throws Exception {
        String one = RULES.replace("-A SSH -s 192.0.2.0/24 -j ACCEPT", "-A SSH -s 192.0.2.1/32 -j ACCEPT\n"
                + "-A SSH -s 192.0.2.2/32 -j ACCEPT");
        String other = RULES.replace("-A SSH -s 192.0.2.0/24 -j ACCEPT", "-A SSH -s 198.51.100.9/32 -j DROP")
                .replace("--dport 80 -j ACCEPT", "--dport 443 -j ACCEPT");
        try {
            for (int round = 0; round < 4; round++) {
                var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> post(one));
                var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> post(other));
                assertThat(first.get().status()).as(first.get().body()).isEqualTo(200);
                assertThat(second.get().status()).as(second.get().body()).isEqualTo(200);
                boolean holdsOne = api.post("/api/plan", Map.of("text", one), null).json().get("changes").isEmpty();
                boolean holdsOther = api.post("/api/plan", Map.of("text", other), null).json().get("changes")
                        .isEmpty();
                assertThat(holdsOne ^ holdsOther).as("the kernel holds exactly one of the two: " + saved()).isTrue();
            }
        } finally {
            api.post("/api/apply", Map.of("text", RULES), TOKEN);
        }
    }

    private static ApiClient.Response post(String text) {
        try {
            return api.post("/api/apply", Map.of("text", text), TOKEN);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void eventsReportAppliesDriftAndRepairsAsTheyHappen() throws Exception {
        EventStream events = EventStream.subscribe(server.url());
        try {
            String changed = RULES.replace("--dport 80 -j", "--dport 8081 -j");
            ApiClient.Response applied = api.post("/api/apply", Map.of("text", changed), TOKEN);
            assertThat(applied.status()).as(applied.body()).isEqualTo(200);
            assertThat(applied.json().get("changed").asBoolean()).isTrue();
            assertThat(saved()).contains("--dport 8081 -j ACCEPT");
            assertThat(events.next("event: applied")).isTrue();
            assertThat(events.next("event: drift")).isTrue(); // the kernel no longer holds the file
            assertThat(api.get("/api/status").json().get("inSync").asBoolean()).isFalse();

            assertThat(api.post("/api/apply", Map.of("text", RULES), TOKEN).json().get("changed").asBoolean()).isTrue();
            assertThat(events.next("event: repaired")).isTrue();
            JsonNode status = api.get("/api/status").json();
            assertThat(status.get("inSync").asBoolean()).isTrue();

            // A hand-made change is drift too.
            netns.run(List.of("iptables", "-D", "SSH", "1"), "");
            assertThat(events.next("event: drift")).isTrue();
            JsonNode drift = api.get("/api/status").json();
            assertThat(drift.get("inSync").asBoolean()).isFalse();
            assertThat(drift.get("plan").get("changes").get(0).get("chain").asText()).isEqualTo("SSH");
        } finally {
            restore(RULES);
        }
    }

    @Test
    void moreEventStreamsThanRequestThreadsLeaveTheServerAnswering() throws Exception {
        // More streams than the request threads, and than the whole pool the server once ran them on.
        int count = Math.max(ApiServer.REQUEST_THREADS + 4, 52);
        List<Socket> streams = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                Socket stream = new Socket("127.0.0.1", server.address().getPort());
                streams.add(stream);
                stream.setSoTimeout(20_000);
                stream.getOutputStream().write("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                assertThat(new BufferedReader(new InputStreamReader(stream.getInputStream(), StandardCharsets.UTF_8))
                        .lines().filter(l -> l.equals(": subscribed") || l.startsWith("{")).findFirst())
                        .as("stream " + (i + 1)).contains(": subscribed");
            }
            ApiClient.Response info = api.get("/api/info");
            assertThat(info.status()).isEqualTo(200);
            assertThat(info.json().get("netns").asText()).isEqualTo(netns.name().orElseThrow());
        } finally {
            for (Socket stream : streams) {
                stream.close();
            }
        }
    }

    @Test
    void thePageAndTheOpenApiDocumentAreServed() throws Exception {
        ApiClient.Response page = api.get("/");
        assertThat(page.status()).isEqualTo(200);
        // Nothing comes from elsewhere: every src and href is a path on this server.
        assertThat(page.body()).contains("<script src=\"/app.js\"").containsPattern("href=\"/app.css\"")
                .doesNotContainPattern("(src|href)=\"[^/]");
        assertThat(api.get("/app.js").body()).doesNotContain("https://").doesNotContain("import ");
        assertThat(api.get("/openapi.json").json().get("openapi").asText()).startsWith("3.");
    }
}
