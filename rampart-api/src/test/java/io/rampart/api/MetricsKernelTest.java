package io.rampart.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.Reconciler;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import io.rampart.system.SystemXtables;
import io.rampart.system.agent.Agent;
import io.rampart.system.agent.AgentEvent;
import io.rampart.system.agent.InvalidFileException;
import io.rampart.system.agent.KernelWatch;
import io.rampart.system.agent.SyncStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} over a throwaway namespace: Prometheus' own promtool accepts it, rule counters
 * rise with real packets, and the agent's syncs and repairs and the API's applies show.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsKernelTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final String RULES = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :SERVICES - [0:0]
            -A INPUT -i lo -j SERVICES
            -A SERVICES -p udp -m udp --dport 9 -j ACCEPT
            -A SERVICES -p tcp -m tcp --dport 22 -j ACCEPT
            COMMIT
            """;
    /** A metric sample: name, labels, value. */
    private static final Pattern SAMPLE = Pattern.compile("(\\w+)(\\{.*})? (\\S+)");

    @TempDir
    Path dir;

    private Netns netns;
    private ApiServer server;
    private ApiClient api;
    private Path file;
    private Agent agent;
    private Thread agentThread;
    private final BlockingQueue<AgentEvent> events = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws IOException {
        KernelTestSupport.requireTools("promtool");
        netns = Netns.throwaway("metrics", ProcessRunner.system());
        file = dir.resolve("host.rules");
        Files.writeString(file, RULES);
    }

    @AfterEach
    void stop() throws InterruptedException, IOException {
        if (agent != null) {
            agent.stop();
            agentThread.join(PATIENCE.toMillis());
        }
        if (server != null) {
            server.close();
        }
        if (netns != null) {
            Files.deleteIfExists(SyncStats.fileOf(Path.of(SyncStats.ROOT), netns.name().orElseThrow(), Family.IPV4));
            netns.close();
        }
    }

    private void serve(int metricsRules) {
        RampartService service = new RampartService(netns.name().orElseThrow(), Family.IPV4, file,
                ProcessRunner.system(), NameDatabase.system());
        server = ApiServer.start(service, new ServerOptions(new InetSocketAddress("127.0.0.1", 0), null, null,
                ServerToken.of("t"), ServerOptions.DEFAULT_MAX_BODY).withMetricsRules(metricsRules),
                ProcessRunner.system());
        api = new ApiClient(HttpClient.newHttpClient(), server.url());
    }

    @Test
    void countersRiseWithPacketsAndPromtoolAcceptsTheScrape() throws Exception {
        serve(ServerOptions.DEFAULT_METRICS_RULES);
        ApiClient.Response applied = api.post("/api/apply", Map.of("text", RULES), "t");
        assertThat(applied.status()).as(applied.body()).isEqualTo(200);

        Map<String, String> before = scrape();
        // The rules are located in the server's file, whoever applied them.
        String udpRule = "rampart_rule_packets_total{family=\"ipv4\",table=\"filter\",chain=\"SERVICES\","
                + "position=\"1\",source=\"" + file + ":7\"}";
        String tcpRule = udpRule.replace("position=\"1\",source=\"" + file + ":7\"",
                "position=\"2\",source=\"" + file + ":8\"");
        assertThat(before).containsKeys(udpRule, tcpRule);
        send(5);
        Map<String, String> after = scrape();
        assertThat(Long.parseLong(after.get(udpRule)) - Long.parseLong(before.get(udpRule))).isEqualTo(5);
        assertThat(after.get(tcpRule)).isEqualTo(before.get(tcpRule));
        assertThat(Long.parseLong(after.get(udpRule.replace("packets", "bytes"))))
                .isGreaterThan(Long.parseLong(before.get(udpRule.replace("packets", "bytes"))));

        assertThat(after).containsEntry("rampart_drift{family=\"ipv4\"}", "0")
                .containsEntry("rampart_applies_total{by=\"api\"}", "1")
                .containsEntry("rampart_applies_changed_total{by=\"api\"}", "1")
                .containsEntry("rampart_apply_duration_seconds_count{by=\"api\"}", "1")
                .containsEntry("rampart_pending_confirmations{family=\"ipv4\"}", "0")
                .containsEntry("rampart_rule_series_limited{family=\"ipv4\"}", "0");

        netns.run(List.of("iptables", "-D", "SERVICES", "2"), "");
        assertThat(scrape()).containsEntry("rampart_drift{family=\"ipv4\"}", "1")
                .containsEntry("rampart_drifted_chains{family=\"ipv4\"}", "1");
    }

    /** Seven rules in four chains. */
    private static final String MORE_RULES = RULES.replace("COMMIT", """
            -A SERVICES -p tcp -m tcp --dport 80 -j ACCEPT
            -A SERVICES -p tcp -m tcp --dport 443 -j ACCEPT
            -A SERVICES -p udp -m udp --dport 53 -j ACCEPT
            -A SERVICES -p udp -m udp --dport 123 -j ACCEPT
            COMMIT""");

    @Test
    void aboveTheLimitCountersArePerChain() throws Exception {
        serve(5);
        restore(MORE_RULES);
        send(3);
        Map<String, String> metrics = scrape();
        assertThat(metrics).containsEntry("rampart_rule_series_limited{family=\"ipv4\"}", "1")
                .containsEntry("rampart_chain_rule_packets_total{family=\"ipv4\",table=\"filter\",chain=\"SERVICES\"}",
                        "3")
                // each datagram and its ICMP port-unreachable pass INPUT's jump; the datagram matches SERVICES' rule
                .containsEntry("rampart_table_rule_packets_total{family=\"ipv4\",table=\"filter\"}", "9")
                .containsEntry("rampart_rules{family=\"ipv4\",table=\"filter\"}", "7");
        assertThat(metrics.keySet()).noneMatch(name -> name.startsWith("rampart_rule_packets_total"));
    }

    @Test
    void aboveTheLimitInChainsCountersArePerTable() throws Exception {
        serve(3);
        restore(MORE_RULES);
        send(2);
        Map<String, String> metrics = scrape();
        assertThat(metrics).containsEntry("rampart_table_rule_packets_total{family=\"ipv4\",table=\"filter\"}", "6");
        assertThat(metrics.keySet()).noneMatch(name -> name.startsWith("rampart_rule_packets_total")
                || name.startsWith("rampart_chain_rule_packets_total"));
    }

    @Test
    void theAgentsSyncsAndRepairsShow() throws Exception {
        serve(ServerOptions.DEFAULT_METRICS_RULES);
        Instant started = Instant.now();
        startAgent();
        Map<String, String> metrics = scrape();
        assertThat(metrics).containsEntry("rampart_applies_total{by=\"agent\",family=\"ipv4\"}", "1")
                .containsEntry("rampart_repairs_total{family=\"ipv4\"}", "0");
        double lastSync = Double.parseDouble(metrics.get("rampart_agent_last_sync_timestamp_seconds{family=\"ipv4\"}"));
        assertThat(lastSync).isGreaterThanOrEqualTo(started.toEpochMilli() / 1000 - 1);

        netns.run(List.of("iptables", "-D", "SERVICES", "1"), "");
        AgentEvent event;
        do {
            event = events.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                fail("the agent did not repair the deleted rule within " + PATIENCE);
            }
        } while (event.kind() != AgentEvent.Kind.REPAIRED);
        metrics = scrape();
        assertThat(metrics).containsEntry("rampart_repairs_total{family=\"ipv4\"}", "1")
                .containsEntry("rampart_repair_duration_seconds_count{family=\"ipv4\"}", "1")
                .containsEntry("rampart_repair_duration_seconds_bucket{family=\"ipv4\",le=\"+Inf\"}", "1");
    }

    private void startAgent() throws InterruptedException {
        agent = new Agent(file, this::desired, NameDatabase.system(), new Reconciler(new SystemXtables(netns),
                StandardExtensions.registry()),
                new KernelWatch.Events(netns, Family.IPV4), events::add,
                SyncStats.writingTo(SyncStats.fileOf(Path.of(SyncStats.ROOT), netns.name().orElseThrow(), Family.IPV4)));
        agentThread = new Thread(() -> {
            try {
                agent.run();
            } catch (Exception e) {
                events.add(new AgentEvent(AgentEvent.Kind.KERNEL_REFUSED, Instant.now(), null, e.toString()));
            }
        }, "agent under test");
        agentThread.start();
        for (AgentEvent.Kind expected : List.of(AgentEvent.Kind.STARTED, AgentEvent.Kind.APPLIED)) {
            AgentEvent event = events.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(event).as("the agent's start").isNotNull();
            assertThat(event.kind()).as(event.message()).isEqualTo(expected);
        }
    }

    private DesiredState desired() throws InvalidFileException {
        try {
            return DesiredState.of(new RulesetParser(StandardExtensions.registry(), Family.IPV4, NameDatabase.system())
                    .parseWithLines(Files.readString(file)), StandardExtensions.registry(), file.toString());
        } catch (IOException | RulesetSyntaxException e) {
            throw new InvalidFileException(file + ": " + e.getMessage());
        }
    }

    private void restore(String rules) {
        ProcessResult restored = netns.run(List.of("iptables-restore"), rules);
        assertThat(restored.ok()).as(restored.stderr()).isTrue();
    }

    /** UDP datagrams to port 9 over the namespace's loopback. */
    private void send(int datagrams) {
        ProcessResult sent = netns.run(List.of("bash", "-c",
                "for i in $(seq " + datagrams + "); do echo x > /dev/udp/127.0.0.1/9; done"), "");
        assertThat(sent.ok()).as(sent.stderr()).isTrue();
    }

    /** The scrape, checked by promtool, as sample (name and labels) to value. */
    private Map<String, String> scrape() throws Exception {
        ApiClient.Response response = api.get("/metrics");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        promtool(response.body());
        Map<String, String> samples = new HashMap<>();
        for (String line : response.body().lines().toList()) {
            if (line.startsWith("#")) {
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            assertThat(sample.matches()).as(line).isTrue();
            samples.put(sample.group(1) + (sample.group(2) == null ? "" : sample.group(2)), sample.group(3));
        }
        return samples;
    }

    private static void promtool(String metrics) {
        ProcessResult checked = ProcessRunner.system().run(List.of("promtool", "check", "metrics"), metrics);
        assertThat(checked.ok()).as(checked.stdout() + checked.stderr() + "\n" + metrics).isTrue();
        assertThat(checked.stdout() + checked.stderr()).as(metrics).isBlank();
    }
}
