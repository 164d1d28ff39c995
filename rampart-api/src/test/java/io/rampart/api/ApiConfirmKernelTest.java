package io.rampart.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rampart.model.Failure;
import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** apply with a confirmation window, confirm and rollback over HTTP, against one throwaway namespace. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ApiConfirmKernelTest {

    static final String BEFORE = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
            COMMIT
            """;
    static final String AFTER = BEFORE.replace("--dport 22 -j ACCEPT",
            "--dport 22 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT");
    static final String TOKEN = "fedcba9876543210fedcba9876543210";

    static Netns netns;
    static ApiServer server;
    static ApiClient api;
    static EventStream events;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        KernelTestSupport.requireKernel();
        netns = Netns.throwaway("apiconfirm", ProcessRunner.system());
        RampartService service = new RampartService(netns.name().orElseThrow(), Family.IPV4, null,
                ProcessRunner.system(), NameDatabase.system(), null, RollbackTimerMain.class.getName());
        server = ApiServer.start(service, new ServerOptions(new InetSocketAddress("127.0.0.1", 0), null, null,
                ServerToken.of(TOKEN), ServerOptions.DEFAULT_MAX_BODY), ProcessRunner.system());
        api = new ApiClient(HttpClient.newHttpClient(), server.url());
        events = EventStream.subscribe(server.url());
    }

    /** Events the previous test caused, its clean-up's roll-back among them, do not count. */
    @BeforeEach
    void markTheEventStream() {
        events.mark();
    }

    @AfterEach
    void endWhateverIsPending() throws Exception {
        if (api.post("/api/rollback", Map.of(), TOKEN).status() == 200) {
            // This server reports an ending it follows a moment later: read it here, not in the next
            // test. A confirmation armed through another server is not followed, and sends nothing.
            events.next("event: rolled-back");
        }
        restore(BEFORE);
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        if (netns != null) {
            String key = "netns-" + netns.name().orElseThrow() + ".ipv4";
            netns.close();
            Files.deleteIfExists(Path.of(PendingConfirmation.ROOT, key + ".lock"));
            Files.deleteIfExists(Path.of(PendingConfirmation.ROOT, key + ".log"));
        }
    }

    static void restore(String rules) {
        ProcessResult restored = netns.run(List.of("iptables-restore"), rules);
        assertThat(restored.ok()).as(restored.stderr()).isTrue();
    }

    static boolean kernelHas443() {
        return netns.run(List.of("iptables-save", "-t", "filter"), "").stdout().contains("--dport 443");
    }

    @Test
    void applyWithConfirmThenConfirmKeepsTheRules() throws Exception {
        restore(BEFORE);
        ApiClient.Response applied = api.post("/api/apply", Map.of("text", AFTER, "confirm", "60s"), TOKEN);
        assertThat(applied.status()).as(applied.body()).isEqualTo(200);
        JsonNode confirmation = applied.json().get("confirmation");
        assertThat(confirmation.get("confirm").asText()).isEqualTo("POST /api/confirm?family=ipv4");
        assertThat(Instant.parse(confirmation.get("rollsBackAt").asText())).isAfter(Instant.now());
        assertThat(kernelHas443()).isTrue();

        ApiClient.Response again = api.post("/api/apply", Map.of("text", BEFORE), TOKEN);
        assertThat(again.status()).isEqualTo(500);
        assertThat(again.json().get("exit").asInt()).isEqualTo(Failure.Category.SYSTEM.exitCode());
        assertThat(again.json().get("error").asText()).contains("awaits confirmation", "rampart confirm --netns");
        assertThat(kernelHas443()).isTrue();

        ApiClient.Response confirmed = api.post("/api/confirm?family=ipv4", Map.of(), TOKEN);
        assertThat(confirmed.status()).as(confirmed.body()).isEqualTo(200);
        assertThat(confirmed.json().get("outcome").asText()).isEqualTo("confirmed");
        assertThat(kernelHas443()).isTrue();
        assertThat(events.next("event: confirmed")).isTrue();
        ApiClient.Response nothing = api.post("/api/confirm", Map.of(), TOKEN);
        assertThat(nothing.status()).isEqualTo(400);
        assertThat(nothing.json().get("error").asText()).contains("nothing awaits confirmation");
    }

    @Test
    void rollbackUndoesAtOnce() throws Exception {
        restore(BEFORE);
        assertThat(api.post("/api/apply", Map.of("text", AFTER, "confirm", "60s"), TOKEN).status()).isEqualTo(200);
        ApiClient.Response rolled = api.post("/api/rollback", Map.of(), TOKEN);
        assertThat(rolled.status()).as(rolled.body()).isEqualTo(200);
        assertThat(rolled.json().get("outcome").asText()).isEqualTo("rolled-back");
        assertThat(kernelHas443()).isFalse();
        assertThat(events.next("event: rolled-back")).isTrue();
    }

    @Test
    void withoutConfirmationTheTimerRollsBack() throws Exception {
        restore(BEFORE);
        ApiClient.Response applied = api.post("/api/apply", Map.of("text", AFTER, "confirm", "2s"), TOKEN);
        assertThat(applied.status()).as(applied.body()).isEqualTo(200);
        assertThat(kernelHas443()).isTrue();
        Instant giveUp = Instant.now().plus(Duration.ofSeconds(30));
        while (kernelHas443() && Instant.now().isBefore(giveUp)) {
            Thread.sleep(200);
        }
        assertThat(kernelHas443()).as("rolled back by the timer").isFalse();
        assertThat(events.next("event: rolled-back")).as("the server saw the timer roll back").isTrue();
    }

    @Test
    void whatFollowsAPendingConfirmationStopsWithTheServer() throws Exception {
        restore(BEFORE);
        RampartService service = new RampartService(netns.name().orElseThrow(), Family.IPV4, null,
                ProcessRunner.system(), NameDatabase.system(), null, RollbackTimerMain.class.getName());
        ApiServer own = ApiServer.start(service, new ServerOptions(new InetSocketAddress("127.0.0.1", 0), null, null,
                ServerToken.of(TOKEN), ServerOptions.DEFAULT_MAX_BODY), ProcessRunner.system());
        ApiClient client = new ApiClient(HttpClient.newHttpClient(), own.url());
        client.get("/api/info");
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        Set<Thread> started = new HashSet<>();
        try {
            ApiClient.Response applied = client.post("/api/apply", Map.of("text", AFTER, "confirm", "60s"), TOKEN);
            assertThat(applied.status()).as(applied.body()).isEqualTo(200);
            started.addAll(Thread.getAllStackTraces().keySet());
            started.removeAll(before);
        } finally {
            own.close();
        }
        // The JDK's own pools (the HTTP client's workers, the reaper of the timer process, the common
        // pool that reads processes' output) idle on by design.
        started.removeIf(thread -> thread.getName().startsWith("HttpClient-")
                || thread.getName().startsWith("process reaper") || thread.getName().startsWith("ForkJoinPool"));
        for (Thread thread : started) {
            thread.join(10_000);
        }
        assertThat(started.stream().filter(Thread::isAlive).map(Thread::getName))
                .as("threads the apply started, still running after the server stopped").isEmpty();
        assertThat(kernelHas443()).as("the confirmation is still pending").isTrue();
    }

    @Test
    void confirmAndRollbackNeedTheToken() throws Exception {
        assertThat(api.post("/api/confirm", Map.of(), null).status()).isEqualTo(401);
        assertThat(api.post("/api/rollback", Map.of(), null).status()).isEqualTo(401);
    }

    @Test
    void aBadWindowIsRefusedNamingTheField() throws Exception {
        ApiClient.Response bad = api.post("/api/apply", Map.of("text", AFTER, "confirm", "soon"), TOKEN);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("error").asText()).startsWith("confirm: `soon' is no duration");
        assertThat(kernelHas443()).isFalse();
    }
}
