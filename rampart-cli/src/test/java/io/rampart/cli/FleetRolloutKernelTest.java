package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.rampart.fleet.EtcdCluster;
import io.rampart.fleet.EtcdStore;
import io.rampart.fleet.FleetView;
import io.rampart.fleet.HostStatus;
import io.rampart.fleet.Rollout;
import io.rampart.fleet.RolloutState;
import io.rampart.fleet.StoreLayout;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Rollouts over six hosts, each a namespace with its own agent process, on a three-member etcd:
 * waves that converge with each host's own values, an agent killed mid-rollout, a host whose
 * values break the revision, a killed controller resumed, and the etcd leader stopped mid-rollout
 * (then the rollout rolled back).
 * Each test starts from where the one before left every host: converged on one revision.
 */
@Timeout(300)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetRolloutKernelTest {

    private static final Duration WITHIN = Duration.ofSeconds(60);
    private static final int HOSTS = 6;
    private static final String RULESET = """
            *filter
            :INPUT DROP
            -A INPUT -i lo -j ACCEPT
            if defined role
              if $role == web
                -A INPUT -d @addr(eth0) -p tcp --dport 80 -j ACCEPT
              end
            end
            if defined ADMIN
              -A INPUT -s $ADMIN -p tcp --dport 22 -j ACCEPT
            end
            -A INPUT -p tcp --dport %d -j ACCEPT
            %s
            COMMIT
            """;
    private static final String BACKUP = """
            if defined BACKUP
              -A INPUT -s $BACKUP -j ACCEPT
            end""";

    private EtcdCluster etcd;
    private EtcdStore store;
    private Path dir;
    private final Map<String, Netns> namespaces = new LinkedHashMap<>();
    private final Map<String, Process> agents = new LinkedHashMap<>();
    /** The revision every host holds between tests, and the port its rules open. */
    private String current;
    private int currentPort;

    @BeforeAll
    void startFleet() throws IOException {
        KernelTestSupport.requireKernel();
        EtcdCluster.requireEtcd();
        dir = Files.createTempDirectory("rampart-rollout-test");
        etcd = EtcdCluster.ofThree();
        store = EtcdStore.connect(etcd.endpoints(), StoreLayout.standard());
        for (int n = 1; n <= HOSTS; n++) {
            String host = "h" + n;
            namespaces.put(host, KernelTestSupport.namespaceWithInterface("rollout-" + host, "eth0",
                    "10.72.0." + n + "/24"));
            store.put("/rampart/hosts/" + host + "/vars/ADMIN", "192.0.2." + n);
        }
        namespaces.keySet().forEach(this::startAgent);
        await("every agent registered", () -> registered().size() == HOSTS);
    }

    @AfterAll
    void stopFleet() throws IOException {
        agents.values().forEach(Process::destroy);
        for (Process agent : agents.values()) {
            try {
                if (!agent.waitFor(10, TimeUnit.SECONDS)) {
                    agent.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Netns netns : namespaces.values()) {
            killLeftovers(netns);
            netns.close();
        }
        if (store != null) {
            store.close();
        }
        if (etcd != null) {
            etcd.close();
        }
        if (dir != null) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    @Order(1)
    void rollsOutInWavesAndEachNamespaceHoldsItsOwnExpansion() {
        long started = System.nanoTime();
        String revision = publish(8001, "");
        Run run = Run.of("fleet", "rollout", revision, "--etcd", etcd.endpoints(), "--waves", "1,50%,100%", "--json");
        long took = System.nanoTime() - started;
        assertThat(run.exitCode()).as(run.err()).isZero();
        System.out.printf("fleet rollout: %d hosts, publish and rollout in 3 waves to every host converged: %d ms%n",
                HOSTS, took / 1_000_000);
        JsonNode result = Json.parse(run.out());
        assertThat(result.get("result").asText()).isEqualTo("succeeded");
        assertThat(result.get("plan").toString()).isEqualTo("[[\"h1\"],[\"h2\",\"h3\"],[\"h4\",\"h5\",\"h6\"]]");
        assertThat(run.err()).contains("wave 1/3: h1 assigned " + revision, "wave 3/3: passed");
        for (String host : namespaces.keySet()) {
            assertThat(result.get("hosts").get(host).get("outcome").asText()).isEqualTo("passed");
            assertThat(input(host)).isEqualTo(expected(host, 8001, null));
        }
        // h1..h4 are web hosts, each opening port 80 on its own address; every host its own ADMIN.
        assertThat(input("h2")).contains("-A INPUT -d 10.72.0.2/32 -p tcp -m tcp --dport 80 -j ACCEPT");
        assertThat(input("h5")).noneMatch(line -> line.contains("--dport 80 "));

        Run status = Run.of("fleet", "status", "--etcd", etcd.endpoints());
        assertThat(status.exitCode()).as(status.out()).isZero();
        assertThat(status.out()).contains("the rollout of " + revision + ": succeeded, 3 wave(s) passed");
        Run db = Run.of("fleet", "status", "--etcd", etcd.endpoints(), "--select", "role=db");
        assertThat(db.exitCode()).isZero();
        assertThat(db.out()).startsWith("h5  converged  revision " + revision).contains("\nh6  ")
                .doesNotContain("h1 ").contains("2 host(s): 2 converged");
        held(revision, 8001);
    }

    @Test
    @Order(2)
    void badInputIsRefusedAndChangesNothing() {
        Map<String, String> before = snapshot();
        expectRefusal(1, "revision 0123456789abcdef0123 is not published",
                "fleet", "rollout", "0123456789abcdef0123", "--etcd", etcd.endpoints());
        expectRefusal(1, "--select role=mail matches none of the 6 host(s) registered",
                "fleet", "rollout", current, "--etcd", etcd.endpoints(), "--select", "role=mail");
        expectRefusal(1, "--waves: `x%' in `1,x%' is not a number of hosts",
                "fleet", "rollout", current, "--etcd", etcd.endpoints(), "--waves", "1,x%");
        expectRefusal(1, "--waves: `1,50%' reaches 3 of the 6 selected host(s); end it with 100%",
                "fleet", "rollout", current, "--etcd", etcd.endpoints(), "--waves", "1,50%");
        expectRefusal(4, "etcd at http://127.0.0.1:9",
                "fleet", "rollout", current, "--etcd", "http://127.0.0.1:9");
        expectRefusal(1, "nothing to resume", "fleet", "resume", "--etcd", etcd.endpoints());
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    @Order(3)
    void anAgentKilledMidRolloutIsWaitedForAndCatchesUpWhenRestarted() throws Exception {
        String revision = publish(8002, "");
        CompletableFuture<Run> rollout = CompletableFuture.supplyAsync(() -> Run.of("fleet", "rollout", revision,
                "--etcd", etcd.endpoints(), "--waves", "1,100%", "--bake", "2s"));
        await("wave 1 under way", () -> rollout().map(state -> state.revision().equals(revision)).orElse(false));
        agents.get("h2").destroyForcibly().waitFor();
        await("h2 offline once its lease ended", () -> hostState("h2") == HostStatus.State.OFFLINE);
        await("wave 2 waiting for h2", () -> rollout().map(state -> state.wave() == 2
                && state.hosts().get("h2").outcome() == RolloutState.Outcome.WAITING).orElse(false));
        assertThat(rollout).isNotDone();
        startAgent("h2");
        Run run = rollout.get(WITHIN.toSeconds(), TimeUnit.SECONDS);
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("h2: converged on " + revision);
        held(revision, 8002);
    }

    @Test
    @Order(4)
    void aHostWhoseValuesBreakTheRevisionFailsAloneAndItsWaveReturns() throws Exception {
        String previous = current;
        int previousPort = currentPort;
        store.put("/rampart/hosts/h3/vars/BACKUP", "not-an-address");
        String revision = publish(8003, BACKUP);
        Run run = Run.of("fleet", "rollout", revision, "--etcd", etcd.endpoints(), "--waves", "1,50%,100%");
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(3);
        assertThat(run.out()).contains("h3: failed: ", "not-an-address", "wave 2/3 failed",
                "h2: assigned " + previous + " again", "h3: assigned " + previous + " again");
        RolloutState halted = rollout().orElseThrow();
        assertThat(halted.result()).isEqualTo(RolloutState.Result.HALTED);
        assertThat(halted.hosts().get("h1").outcome()).isEqualTo(RolloutState.Outcome.PASSED);
        assertThat(halted.hosts().get("h2").outcome()).isEqualTo(RolloutState.Outcome.ROLLED_BACK);
        assertThat(halted.hosts().get("h3").error()).contains("not-an-address");
        assertThat(halted.hosts().get("h4").outcome()).isEqualTo(RolloutState.Outcome.PENDING);
        assertThat(store.get("/rampart/assign/h2")).contains(previous);
        assertThat(store.get("/rampart/assign/h3")).contains(previous);
        await("h2 and h3 back on " + previous, () -> input("h2").equals(expected("h2", previousPort, null))
                && input("h3").equals(expected("h3", previousPort, null)));
        assertThat(input("h1")).isEqualTo(expected("h1", 8003, null));
        assertThat(input("h4")).isEqualTo(expected("h4", previousPort, null));

        Run status = Run.of("fleet", "status", "--etcd", etcd.endpoints());
        assertThat(status.out()).contains("the rollout of " + revision + ": halted, wave 2 of 3 (h2, h3)",
                "  h3: rolled-back (" + dir);
        assertThat(status.exitCode()).isZero(); // every host holds what it is assigned: the wave returned
        JsonNode shown = Json.parse(Run.of("fleet", "status", "--etcd", etcd.endpoints(), "--json").out());
        assertThat(shown.get("rollout").get("result").asText()).isEqualTo("halted");
        assertThat(shown.get("rollout").get("hosts").get("h3").get("error").asText()).contains("not-an-address");

        // The value fixed, the rollout resumes at its wave and ends with h3's own extra rule.
        store.put("/rampart/hosts/h3/vars/BACKUP", "198.51.100.3");
        Run resumed = Run.of("fleet", "resume", "--etcd", etcd.endpoints());
        assertThat(resumed.exitCode()).as(resumed.out() + resumed.err()).isZero();
        assertThat(input("h3")).isEqualTo(expected("h3", 8003, "198.51.100.3"));
        held(revision, 8003);
    }

    @Test
    @Order(5)
    void aKilledControllerIsResumedAndASecondOneRefuses() throws Exception {
        String revision = publish(8004, BACKUP);
        Process controller = rampart(dir.resolve("controller.log"), "fleet", "rollout", revision, "--etcd",
                etcd.endpoints(), "--waves", "1,100%", "--bake", "2s");
        try {
            // Killed once its first wave's host holds the revision: baking, or in the second wave.
            await("the controller past its first assignment", () -> rollout().map(state -> state.revision()
                    .equals(revision) && state.result() == RolloutState.Result.RUNNING).orElse(false)
                    && input("h1").equals(expected("h1", 8004, null)));
        } finally {
            controller.destroyForcibly().waitFor();
        }
        Run second = Run.of("fleet", "rollout", revision, "--etcd", etcd.endpoints());
        assertThat(second.exitCode()).isEqualTo(4);
        assertThat(second.err()).contains("is not over: `rampart fleet resume' continues it");

        Run resumed = Run.of("fleet", "resume", "--etcd", etcd.endpoints(), "--json");
        assertThat(resumed.exitCode()).as(resumed.out() + resumed.err()).isZero();
        assertThat(Json.parse(resumed.out()).get("result").asText()).isEqualTo("succeeded");
        held(revision, 8004);
    }

    @Test
    @Order(6)
    void theEtcdLeaderStoppedMidRolloutTheRolloutEndsConverged() throws Exception {
        String revision = publish(8005, BACKUP);
        CompletableFuture<Run> rollout = CompletableFuture.supplyAsync(() -> Run.of("fleet", "rollout", revision,
                "--etcd", etcd.endpoints(), "--waves", "1,50%,100%", "--bake", "1s"));
        await("wave 2 under way", () -> rollout().map(state -> state.revision().equals(revision)
                && state.wave() == 2).orElse(false));
        EtcdCluster.Member leader = leader();
        leader.process().destroy();
        assertThat(leader.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
        Run run = rollout.get(WITHIN.toSeconds() * 2, TimeUnit.SECONDS);
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        held(revision, 8005);

        // Undone on the two members left: every host back on the revision it held before.
        String previous = rollout().orElseThrow().hosts().get("h1").previous();
        Run back = Run.of("fleet", "rollback", "--etcd", etcd.endpoints(), "--json");
        assertThat(back.exitCode()).as(back.err()).isZero();
        assertThat(Json.parse(back.out()).get("result").asText()).isEqualTo("rolled-back");
        held(previous, 8004);
    }

    /** Every host converged on {@code revision}, its kernel holding its own expansion of it. */
    private void held(String revision, int port) {
        await("every host converged on " + revision, () -> namespaces.keySet().stream().allMatch(host ->
                hostState(host) == HostStatus.State.CONVERGED && input(host).equals(expected(host, port,
                        host.equals("h3") && port >= 8003 ? "198.51.100.3" : null))));
        current = revision;
        currentPort = port;
    }

    /** The INPUT rules host {@code n} should hold: its own address, role and variables. */
    private static List<String> expected(String host, int port, String backup) {
        int n = Integer.parseInt(host.substring(1));
        List<String> rules = new ArrayList<>(List.of("-A INPUT -i lo -j ACCEPT"));
        if (n <= 4) {
            rules.add("-A INPUT -d 10.72.0." + n + "/32 -p tcp -m tcp --dport 80 -j ACCEPT");
        }
        rules.add("-A INPUT -s 192.0.2." + n + "/32 -p tcp -m tcp --dport 22 -j ACCEPT");
        rules.add("-A INPUT -p tcp -m tcp --dport " + port + " -j ACCEPT");
        if (backup != null) {
            rules.add("-A INPUT -s " + backup + "/32 -j ACCEPT");
        }
        return rules;
    }

    private List<String> input(String host) {
        return namespaces.get(host).run(List.of("iptables-save", "-t", "filter"), "").stdout().lines()
                .filter(line -> line.startsWith("-A INPUT")).toList();
    }

    private String publish(int port, String extra) {
        Path file = dir.resolve("host.rules");
        try {
            Files.writeString(file, String.format(RULESET, port, extra));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Run run = Run.of("fleet", "publish", file.toString(), "--etcd", etcd.endpoints());
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        return lines.get(lines.size() - 1);
    }

    private void startAgent(String host) {
        List<String> labels = List.of("role=" + (Integer.parseInt(host.substring(1)) <= 4 ? "web" : "db"));
        agents.put(host, rampart(dir.resolve(host + ".log"), "agent", "--etcd", etcd.endpoints(), "--host", host,
                "--labels", labels.get(0), "--netns", namespaces.get(host).name().orElseThrow(),
                "--state-dir", dir.resolve(host).toString()));
    }

    /** Rampart in a JVM of its own, its output appended to {@code log}. */
    private static Process rampart(Path log, String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xmx128m", "-cp", String.join(File.pathSeparator,
                        System.getProperty("java.class.path").split(File.pathSeparator)), Main.class.getName()));
        command.addAll(List.of(args));
        try {
            return Run.cleanEnvironment(new ProcessBuilder(command)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start rampart " + String.join(" ", args), e);
        }
    }

    /** Processes a killed agent left in its namespace (its kernel monitor). */
    private static void killLeftovers(Netns netns) {
        String pids = ProcessRunner.system().run(List.of("ip", "netns", "pids", netns.name().orElseThrow()), "")
                .stdout();
        pids.lines().map(String::strip).filter(pid -> !pid.isEmpty()).map(Long::parseLong)
                .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    private List<String> registered() {
        return FleetView.read(store).hosts().stream().filter(host -> host.state() != HostStatus.State.OFFLINE)
                .map(FleetView.Host::name).toList();
    }

    private HostStatus.State hostState(String host) {
        return FleetView.read(store).host(host).map(FleetView.Host::state).orElse(HostStatus.State.OFFLINE);
    }

    private Optional<RolloutState> rollout() {
        return Rollout.current(store);
    }

    /** Every key of the fleet's assignments and rollout, for comparing before and after. */
    private Map<String, String> snapshot() {
        Map<String, String> keys = new LinkedHashMap<>(store.list("/rampart/assign/"));
        keys.putAll(store.list("/rampart/rollout/"));
        return keys;
    }

    private void expectRefusal(int exitCode, String message, String... args) {
        Run run = Run.of(args);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(exitCode);
        assertThat(run.err()).contains(message);
    }

    /** The member etcd's maintenance status names as leader. */
    private EtcdCluster.Member leader() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (EtcdCluster.Member member : etcd.members()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create(member.clientUrl() + "/v3/maintenance/status"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode status = Json.parse(response.body());
            if (status.get("leader").asText().equals(status.get("header").get("member_id").asText())) {
                return member;
            }
        }
        return fail("no member of " + etcd.endpoints() + " is the leader");
    }

    /** Waits for {@code condition}, failing with the agents' logs. */
    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + ": not within " + WITHIN + "\n" + logs());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    private String logs() {
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path log : files.filter(path -> path.toString().endsWith(".log")).sorted().toList()) {
                List<String> lines = Files.readAllLines(log);
                text.append("--- ").append(log.getFileName()).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())))
                        .append('\n');
            }
        } catch (IOException e) {
            text.append("(logs: ").append(e.getMessage()).append(')');
        }
        return text.toString();
    }
}
