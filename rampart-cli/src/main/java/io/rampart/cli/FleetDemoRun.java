package io.rampart.cli;

import io.rampart.fleet.EtcdStore;
import io.rampart.fleet.FleetAgent;
import io.rampart.fleet.Rollout;
import io.rampart.fleet.RolloutState;
import io.rampart.fleet.StoreLayout;
import io.rampart.fleet.Waves;
import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.syntax.SavedState;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import io.rampart.system.SystemException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The fleet demo: one etcd on loopback with its data in a temporary directory, three hosts as
 * throwaway namespaces each with its own fleet agent, and the operator's commands run against them.
 * Everything it starts is stopped and removed at the end, also on failure or Ctrl-C.
 */
final class FleetDemoRun {

    private static final Duration ETCD_READY_WITHIN = Duration.ofSeconds(30);
    private static final String MONITOR = """
            if defined MONITOR
              -A INPUT -s $MONITOR -p tcp --dport 9100 -j ACCEPT
            end""";

    /** One demo host: its name, label, address and variables. */
    private record Host(String name, String role, int number) {
        String address() {
            return "10.73.0." + number;
        }
    }

    private static final List<Host> HOSTS = List.of(new Host("web1", "web", 1), new Host("web2", "web", 2),
            new Host("db1", "db", 3));

    private FleetDemoRun() {
    }

    static int run(PrintWriter out) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("rampart-demo-fleet-");
        List<Netns> namespaces = new ArrayList<>();
        List<Runnable> stops = new ArrayList<>();
        Thread cleanup = new Thread(() -> stops.forEach(Runnable::run), "stop the fleet demo");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            String endpoint = "http://127.0.0.1:" + freePort();
            Process etcd = startEtcd(endpoint, dir, stops);
            out.printf("etcd started on %s, its data in %s.%n", endpoint, dir);
            try (EtcdStore store = EtcdStore.connect(endpoint, StoreLayout.standard())) {
                awaitEtcd(store, etcd);
                for (Host host : HOSTS) {
                    Netns netns = namespace(host);
                    namespaces.add(netns);
                    store.put(store.layout().vars(host.name()) + "ADMIN", "192.0.2." + (10 + host.number()));
                    startAgent(endpoint, host, netns, dir, stops);
                }
                out.printf("Three hosts, each a network namespace with a fleet agent: %s.%n%n", String.join(", ",
                        HOSTS.stream().map(h -> h.name() + " (role=" + h.role() + ", eth0 " + h.address()
                                + ", ADMIN 192.0.2." + (10 + h.number()) + ")").toList()));
                return show(store, endpoint, dir, namespaces, out);
            }
        } finally {
            stops.forEach(Runnable::run);
            stops.clear();
            Runtime.getRuntime().removeShutdownHook(cleanup);
            namespaces.forEach(Netns::close);
            removeTree(dir);
            out.printf("%nStopped the agents and etcd, removed the namespaces and %s.%n", dir);
            out.flush();
        }
    }

    private static int show(EtcdStore store, String endpoint, Path dir, List<Netns> namespaces, PrintWriter out)
            throws IOException {
        Path file = dir.resolve("fleet.rules");
        String text = resource();
        publishAndRollOut(store, endpoint, file, text, "the demo's first revision", out);
        out.println("\nWhat each kernel holds now (iptables-save, INPUT): the same file, each host's own values:");
        for (int i = 0; i < HOSTS.size(); i++) {
            out.println("  " + HOSTS.get(i).name() + ":");
            input(namespaces.get(i)).forEach(line -> out.println("    " + line));
        }

        out.println("\nA second revision opens port 9100 to $MONITOR; web2's MONITOR is not an address:");
        putVar(store, "db1", "MONITOR", "192.0.2.99", out);
        putVar(store, "web2", "MONITOR", "not-an-address", out);
        publishAndRollOut(store, endpoint, file, text.replace("#MONITOR", MONITOR), "open port 9100 to MONITOR", out);

        out.println("\nThe value fixed, the rollout goes on from its wave:");
        putVar(store, "web2", "MONITOR", "192.0.2.98", out);
        out.printf("$ rampart fleet resume --etcd %s%n", endpoint);
        Rollout.Ended resumed = controller(store, out).resume();
        int code = status(endpoint, out);
        return resumed.state().result() == RolloutState.Result.SUCCEEDED && code == ExitCode.OK ? ExitCode.OK
                : ExitCode.SYSTEM;
    }

    /** Writes {@code text} to {@code file}, publishes it, rolls it out in two waves and shows the status. */
    private static void publishAndRollOut(EtcdStore store, String endpoint, Path file, String text, String message,
                                          PrintWriter out) throws IOException {
        Files.writeString(file, text);
        out.printf("$ rampart fleet publish %s --etcd %s --message '%s'%n", file.getFileName(), endpoint, message);
        String revision = FleetRunner.publish(store, file, message, out).revision().id();
        out.println(revision);
        out.printf("$ rampart fleet rollout %s --etcd %s --waves 1,100%%%n", revision, endpoint);
        controller(store, out).start(new Rollout.Request(revision, Map.of(), Waves.parse("1,100%"), Duration.ZERO,
                Duration.ofSeconds(30), 0));
        status(endpoint, out);
    }

    private static void putVar(EtcdStore store, String host, String name, String value, PrintWriter out) {
        String key = store.layout().vars(host) + name;
        out.printf("$ etcdctl put %s %s%n", key, value);
        store.put(key, value);
    }

    private static Rollout controller(EtcdStore store, PrintWriter out) {
        return new Rollout(store, FleetRunner.publisher(), line -> {
            out.println("  " + line);
            out.flush();
        });
    }

    private static int status(String endpoint, PrintWriter out) {
        out.printf("$ rampart fleet status --etcd %s%n", endpoint);
        return FleetRunner.status(endpoint, StoreLayout.DEFAULT_PREFIX, new FleetCommands.TlsOptions(), "", false, out);
    }

    private static List<String> input(Netns netns) {
        return SavedState.parse(netns.run(List.of("iptables-save", "-t", "filter"), "").stdout()).table(Table.FILTER)
                .map(filter -> filter.rulesOf("INPUT")).orElse(List.of());
    }

    /** etcd answering at {@code client}; {@code stops} gets how to stop it. */
    private static Process startEtcd(String client, Path dir, List<Runnable> stops) {
        String peer = "http://127.0.0.1:" + freePort();
        Process etcd;
        try {
            etcd = ProcessRunner.system().start(List.of("etcd", "--name", "demo", "--data-dir",
                    dir.resolve("etcd").toString(), "--listen-client-urls", client, "--advertise-client-urls", client,
                    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster",
                    "demo=" + peer));
        } catch (SystemException e) {
            throw new SystemException(e.getMessage() + " (the fleet demo needs etcd: ./scripts/install-deps --fleet)");
        }
        Thread drain = new Thread(() -> {
            try (InputStream output = etcd.getInputStream()) {
                output.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                // etcd ended
            }
        }, "etcd output");
        drain.setDaemon(true);
        drain.start();
        stops.add(() -> {
            etcd.destroy();
            try {
                if (!etcd.waitFor(10, TimeUnit.SECONDS)) {
                    etcd.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return etcd;
    }

    /** Waits until etcd answers; one that ended or stays silent is an error. */
    private static void awaitEtcd(EtcdStore store, Process etcd) throws InterruptedException {
        long deadline = System.nanoTime() + ETCD_READY_WITHIN.toNanos();
        while (true) {
            try {
                store.revision();
                return;
            } catch (RuntimeException e) {
                if (!etcd.isAlive() || System.nanoTime() > deadline) {
                    throw new SystemException("etcd did not start: " + (etcd.isAlive() ? e.getMessage()
                            : "it ended with exit code " + etcd.exitValue()));
                }
                Thread.sleep(100);
            }
        }
    }

    private static Netns namespace(Host host) {
        Netns netns = Netns.throwaway("demo-" + host.name(), ProcessRunner.system());
        for (List<String> command : List.of(List.of("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p"),
                List.of("ip", "addr", "add", host.address() + "/24", "dev", "eth0"),
                List.of("ip", "link", "set", "eth0", "up"))) {
            ProcessResult result = netns.run(command, "");
            if (!result.ok()) {
                netns.close();
                throw new SystemException(String.join(" ", command) + ": " + result.failure());
            }
        }
        return netns;
    }

    /** The host's agent on a thread of its own, with its own etcd client; its log is dropped. */
    private static void startAgent(String endpoint, Host host, Netns netns, Path dir, List<Runnable> stops) {
        EtcdStore store = EtcdStore.connect(endpoint, StoreLayout.standard());
        FleetAgent agent = FleetRunner.fleetAgent(store, host.name(), Map.of("role", host.role()),
                dir.resolve("state-" + host.name()), Family.IPV4, netns, Duration.ofSeconds(5),
                new PrintWriter(Writer.nullWriter()));
        Thread thread = new Thread(() -> {
            try {
                agent.run();
            } catch (Exception e) {
                throw new IllegalStateException(host.name() + ": " + e.getMessage(), e);
            }
        }, "agent " + host.name());
        thread.setDaemon(true);
        thread.start();
        stops.add(0, () -> {
            agent.stop();
            try {
                thread.join(EtcdStore.TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            store.close();
        });
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String resource() {
        try (InputStream in = FleetDemoRun.class.getResourceAsStream("demo-fleet.rules")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void removeTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // already gone
        }
    }
}
