package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.rampart.fleet.EtcdCluster;
import io.rampart.fleet.EtcdStore;
import io.rampart.fleet.FleetAgent;
import io.rampart.fleet.HostStatus;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Fleet hosts whose agents run inside their namespaces, so that their etcd traffic crosses the
 * rules they enforce: each namespace joined to this host's by a veth, etcd listening on this side.
 */
final class FleetKernelSupport {

    static final Duration WITHIN = Duration.ofSeconds(40);

    private FleetKernelSupport() {
    }

    /** A /30 of the benchmarking range 198.18.0.0/15 between this namespace and one host's. */
    record Link(String name, String here, String there) {
        static Link random() {
            int subnet = ThreadLocalRandom.current().nextInt(256);
            return new Link("rfl" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20)),
                    "198.18." + subnet + ".1", "198.18." + subnet + ".2");
        }

        /** Takes the link down or up on this side, cutting the host off its etcd or joining it again. */
        void set(boolean up) {
            List<String> command = List.of("ip", "link", "set", name, up ? "up" : "down");
            check(ProcessRunner.system().run(command, ""), command);
        }
    }

    /** Joins {@code netns} to this namespace over {@code link}: its name here, eth0 there. */
    static void connect(Netns netns, Link link) {
        String name = netns.name().orElseThrow();
        ProcessRunner runner = ProcessRunner.system();
        for (List<String> command : List.of(
                List.of("ip", "link", "add", link.name(), "type", "veth", "peer", "name", link.name() + "n"),
                List.of("ip", "link", "set", link.name() + "n", "netns", name),
                List.of("ip", "addr", "add", link.here() + "/30", "dev", link.name()),
                List.of("ip", "link", "set", link.name(), "up"))) {
            check(runner.run(command, ""), command);
        }
        for (List<String> command : List.of(
                List.of("ip", "link", "set", link.name() + "n", "name", "eth0"),
                List.of("ip", "addr", "add", link.there() + "/30", "dev", "eth0"),
                List.of("ip", "link", "set", "eth0", "up"))) {
            check(netns.run(command, ""), command);
        }
    }

    private static void check(ProcessResult result, List<String> command) {
        if (!result.ok()) {
            fail(String.join(" ", command) + ": " + result.stderr());
        }
    }

    /**
     * {@code rampart agent --netns NS --etcd ... --host HOST} as its own process inside {@code netns},
     * its output in {@code log}.
     */
    static Process startInside(Netns netns, String endpoints, String host, Path stateDir, Path log, String... more)
            throws IOException {
        String name = netns.name().orElseThrow();
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", name,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-cp",
                String.join(File.pathSeparator, System.getProperty("java.class.path").split(File.pathSeparator)),
                Main.class.getName(), "agent", "--netns", name, "--etcd", endpoints, "--host", host,
                "--state-dir", stateDir.toString()));
        command.addAll(List.of(more));
        return Run.cleanEnvironment(new ProcessBuilder(command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** Runs {@code agent} on a thread of its own, as the command does on its main thread. */
    static Thread startOnThread(FleetAgent agent) {
        Thread thread = new Thread(() -> {
            try {
                agent.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "fleet agent under test");
        thread.start();
        return thread;
    }

    /** Stops an agent process as SIGTERM does, within a bound. */
    static void stop(Process agent) throws InterruptedException {
        agent.destroy();
        if (!agent.waitFor(WITHIN.toSeconds(), TimeUnit.SECONDS)) {
            agent.destroyForcibly();
        }
    }

    /** A ruleset that keeps the host reachable, with {@code more} at its end, published from {@code dir}; its id. */
    static String publish(EtcdCluster etcd, Path dir, String more) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("host.rules"), """
                *filter
                :INPUT DROP
                :OUTPUT ACCEPT
                -A INPUT -i lo -j ACCEPT
                -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
                -A INPUT -p tcp --dport 22 -j ACCEPT
                -A INPUT -p icmp -j ACCEPT
                # what this revision adds
                """ + more + "COMMIT\n");
        Run run = Run.of("fleet", "publish", dir.resolve("host.rules").toString(), "--etcd", etcd.endpoints());
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        return lines.get(lines.size() - 1);
    }

    static HostStatus status(EtcdStore store, String host) {
        return store.get("/rampart/hosts/" + host + "/status")
                .map(json -> HostStatus.fromJson(host, "status", json))
                .orElse(new HostStatus(host, null, null, HostStatus.State.OFFLINE, null, null));
    }

    static boolean converged(EtcdStore store, String host, String revision) {
        HostStatus status = status(store, host);
        return status.state() == HostStatus.State.CONVERGED && revision.equals(status.revision());
    }

    /** The filter table's rules in {@code netns}, as iptables-save prints them. */
    static List<String> rules(Netns netns) {
        return netns.run(List.of("iptables-save", "-t", "filter"), "").stdout().lines()
                .filter(line -> line.startsWith("-A ")).toList();
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Waits for {@code condition} within a bound, failing with the agents' logs. */
    static void await(String what, BooleanSupplier condition, Supplier<String> logs) throws InterruptedException {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + ": not within " + WITHIN + "; log:\n" + logs.get());
            }
            Thread.sleep(50);
        }
    }
}
