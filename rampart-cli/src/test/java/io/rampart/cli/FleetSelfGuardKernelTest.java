package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.rampart.fleet.EtcdCluster;
import io.rampart.fleet.EtcdStore;
import io.rampart.fleet.FleetAgent;
import io.rampart.fleet.HostStatus;
import io.rampart.fleet.StoreLayout;
import io.rampart.model.Family;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A canary host whose agent runs inside its namespace, so that its etcd traffic crosses the rules it
 * enforces: a revision that would drop that traffic is refused with the rule's file:line, and one
 * whose dropping rule the trace cannot see is rolled back by the agent once etcd stays silent for the
 * grace period. Another host stays on its revision throughout.
 */
@Timeout(150)
class FleetSelfGuardKernelTest {

    private static final Duration WITHIN = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    @Test
    void aRevisionThatCutsTheCanaryOffEtcdIsRefusedOrRolledBackAndTheOtherHostStaysOnItsOwn() throws Exception {
        KernelTestSupport.requireKernel();
        int subnet = ThreadLocalRandom.current().nextInt(256);
        String etcdAddress = "198.18." + subnet + ".1";
        String link = "rfsg" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 16));
        try (Netns canary = Netns.throwaway("fleet-canary", ProcessRunner.system());
             Netns other = KernelTestSupport.namespaceWithInterface("rampart-fleet-other", "eth0", "10.72.0.1/24")) {
            connect(canary, link, etcdAddress, "198.18." + subnet + ".2");
            try (EtcdCluster etcd = EtcdCluster.single(etcdAddress, null);
                 EtcdStore store = EtcdStore.connect(etcd.endpoints(), StoreLayout.standard())) {
                int port = etcd.members().get(0).clientPort();
                String good = publish(etcd, "good", "");
                store.put("/rampart/assign/canary", good);
                store.put("/rampart/assign/other", good);

                StringWriter otherLog = new StringWriter();
                FleetAgent otherAgent = FleetRunner.fleetAgent(store, "other", Map.of(), dir.resolve("other"),
                        Family.IPV4, other, Duration.ofSeconds(5), new PrintWriter(otherLog, true));
                Thread otherRunning = new Thread(() -> {
                    try {
                        otherAgent.run();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, "other host's agent");
                otherRunning.start();
                Path canaryLog = dir.resolve("canary.log");
                Process canaryAgent = startInside(canary, etcd.endpoints(), canaryLog);
                Supplier<String> logs = () -> read(canaryLog) + "\nother host:\n" + otherLog;
                try {
                    await("both hosts converged on " + good, () -> converged(store, "canary", good)
                            && converged(store, "other", good), logs);
                    List<String> goodRules = rules(canary);

                    // The trace sees the DROP of the canary's new connections to etcd: refused, nothing written.
                    String cutting = publish(etcd, "cutting", "-A OUTPUT -d " + etcdAddress + " -p tcp --dport " + port
                            + " -j DROP\n");
                    store.put("/rampart/assign/canary", cutting);
                    await("the canary refusing " + cutting, () -> failedOn(store, cutting), logs);
                    HostStatus refused = status(store, "canary");
                    assertThat(refused.revision()).isEqualTo(good);
                    assertThat(refused.error()).contains("/revisions/" + cutting + "/host.rules:9:1: error: this"
                            + " ruleset would cut off this host's connections to etcd (198.18." + subnet + ".2:32768 -> "
                            + etcdAddress + ":" + port + "): its new connections are dropped by filter OUTPUT rule 1");
                    assertThat(rules(canary)).isEqualTo(goodRules);

                    // The trace cannot tell whose packets -m owner drops: applied, etcd silent, rolled back.
                    String hidden = publish(etcd, "hidden", "-A OUTPUT -p tcp --dport " + port
                            + " -m owner --uid-owner 0 -j DROP\n");
                    store.put("/rampart/assign/canary", hidden);
                    await("the canary back on " + good + " and reporting the rollback of " + hidden,
                            () -> failedOn(store, hidden) && status(store, "canary").error().contains("rolled back"),
                            logs);
                    HostStatus rolledBack = status(store, "canary");
                    assertThat(rolledBack.revision()).isEqualTo(good);
                    assertThat(rolledBack.error()).isEqualTo("revision " + hidden + " was rolled back: etcd at "
                            + etcd.endpoints() + " did not answer within 5 s of applying it; the revision before stays"
                            + " enforced");
                    assertThat(read(canaryLog)).contains("etcd answered after applying revision " + good + ": keeping it")
                            .contains("revision " + hidden + " was rolled back").doesNotContain("rollback-timer");
                    await("the canary's kernel holding " + good + " again", () -> rules(canary).equals(goodRules),
                            logs);
                    assertThat(Files.exists(Path.of("/run/rampart/confirm", "netns-" + canary.name().orElseThrow()
                            + ".ipv4"))).as("no confirmation left pending").isFalse();
                    assertThat(Files.readString(dir.resolve("canary/good.rules"))).contains(good);

                    assertThat(status(store, "other").state()).isEqualTo(HostStatus.State.CONVERGED);
                    assertThat(status(store, "other").revision()).isEqualTo(good);
                } finally {
                    canaryAgent.destroy();
                    if (!canaryAgent.waitFor(WITHIN.toSeconds(), TimeUnit.SECONDS)) {
                        canaryAgent.destroyForcibly();
                    }
                    otherAgent.stop();
                    otherRunning.join(WITHIN.toMillis());
                }
            }
        }
    }

    /** A veth from this host's namespace into {@code netns}: {@code link} here with {@code here}, eth0 there. */
    private static void connect(Netns netns, String link, String here, String there) {
        String name = netns.name().orElseThrow();
        ProcessRunner runner = ProcessRunner.system();
        for (List<String> command : List.of(
                List.of("ip", "link", "add", link, "type", "veth", "peer", "name", link + "n"),
                List.of("ip", "link", "set", link + "n", "netns", name),
                List.of("ip", "addr", "add", here + "/30", "dev", link),
                List.of("ip", "link", "set", link, "up"))) {
            check(runner.run(command, ""), command);
        }
        for (List<String> command : List.of(
                List.of("ip", "link", "set", link + "n", "name", "eth0"),
                List.of("ip", "addr", "add", there + "/30", "dev", "eth0"),
                List.of("ip", "link", "set", "eth0", "up"))) {
            check(netns.run(command, ""), command);
        }
    }

    private static void check(ProcessResult result, List<String> command) {
        if (!result.ok()) {
            fail(String.join(" ", command) + ": " + result.stderr());
        }
    }

    /** A ruleset that keeps the host reachable, with {@code output} in OUTPUT, published; its id. */
    private String publish(EtcdCluster etcd, String name, String output) throws IOException {
        Path revision = dir.resolve(name);
        Files.createDirectories(revision);
        Files.writeString(revision.resolve("host.rules"), """
                *filter
                :INPUT DROP
                :OUTPUT ACCEPT
                -A INPUT -i lo -j ACCEPT
                -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
                -A INPUT -p tcp --dport 22 -j ACCEPT
                -A INPUT -p icmp -j ACCEPT
                # what this revision adds
                """ + output + "COMMIT\n");
        Run run = Run.of("fleet", "publish", revision.resolve("host.rules").toString(), "--etcd", etcd.endpoints());
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        return lines.get(lines.size() - 1);
    }

    /** The canary's agent as its own process inside {@code netns}, its etcd traffic passing the rules it enforces. */
    private Process startInside(Netns netns, String endpoints, Path log) throws IOException {
        String name = netns.name().orElseThrow();
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", name,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-cp",
                String.join(File.pathSeparator, System.getProperty("java.class.path").split(File.pathSeparator)),
                Main.class.getName(), "agent", "--netns", name, "--etcd", endpoints, "--host", "canary",
                "--state-dir", dir.resolve("canary").toString(), "--grace", "5s"));
        return Run.cleanEnvironment(new ProcessBuilder(command)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    private static boolean converged(EtcdStore store, String host, String revision) {
        HostStatus status = status(store, host);
        return status.state() == HostStatus.State.CONVERGED && revision.equals(status.revision());
    }

    private static boolean failedOn(EtcdStore store, String assigned) {
        HostStatus status = status(store, "canary");
        return status.state() == HostStatus.State.FAILED && assigned.equals(status.assigned());
    }

    private static HostStatus status(EtcdStore store, String host) {
        return store.get("/rampart/hosts/" + host + "/status")
                .map(json -> HostStatus.fromJson(host, "status", json))
                .orElse(new HostStatus(host, null, null, HostStatus.State.OFFLINE, null, null));
    }

    private static List<String> rules(Netns netns) {
        return netns.run(List.of("iptables-save", "-t", "filter"), "").stdout().lines()
                .filter(line -> line.startsWith("-A ")).toList();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Waits for {@code condition} within a bound, failing with the agents' logs. */
    private static void await(String what, BooleanSupplier condition, Supplier<String> logs)
            throws InterruptedException {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + ": not within " + WITHIN + "; canary's log:\n" + logs.get());
            }
            Thread.sleep(50);
        }
    }
}
