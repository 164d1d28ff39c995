package io.rampart.fleet;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real etcd for a test: one member or three, each on ports of its own on loopback with its data
 * in a temporary directory, started and waited for until every member reports healthy, and stopped
 * with its data removed by {@link #close} (and by a shutdown hook, should the test JVM end first).
 * Without etcd installed the test is skipped, or fails when {@code CI=true}.
 */
public final class EtcdCluster implements AutoCloseable {

    private static final Duration HEALTHY_WITHIN = Duration.ofSeconds(30);

    /** One etcd process and where it listens: clients on {@code address} (and loopback), health on loopback. */
    public record Member(String name, String address, String scheme, int clientPort, int peerPort, int healthPort,
                         Path dataDir, Path log, Process process, List<String> command) {
        public String clientUrl() {
            return scheme + "://" + address + ":" + clientPort;
        }

        String peerUrl() {
            return "http://127.0.0.1:" + peerPort;
        }
    }

    /**
     * The server's side of TLS: etcd's certificate and key and the CA its clients' certificates must
     * be signed by; with it, clients connect over https with a certificate ({@code --client-cert-auth}).
     */
    public record ServerTls(Path caCert, Path cert, Path key) {
    }

    private final Path root;
    private final List<Member> members = new ArrayList<>();
    private final Thread cleanup = new Thread(this::stopAll, "stop test etcd");

    private EtcdCluster(Path root) {
        this.root = root;
    }

    /** One member. */
    public static EtcdCluster single() {
        return start(1, "127.0.0.1", null);
    }

    /** Three members forming one cluster. */
    public static EtcdCluster ofThree() {
        return start(3, "127.0.0.1", null);
    }

    /**
     * One member whose clients connect to {@code address} (one of this host's, e.g. the root side of a
     * namespace's veth), over TLS with client certificates when {@code tls} is given.
     */
    public static EtcdCluster single(String address, ServerTls tls) {
        return start(1, address, tls);
    }

    private static EtcdCluster start(int size, String address, ServerTls tls) {
        requireEtcd();
        EtcdCluster cluster;
        try {
            cluster = new EtcdCluster(Files.createTempDirectory("rampart-etcd-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(cluster.cleanup);
        try {
            cluster.launch(size, address, tls);
            cluster.awaitHealthy();
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** Skips the test without etcd, or fails it in CI. */
    public static void requireEtcd() {
        for (String tool : List.of("etcd", "etcdctl")) {
            boolean found = Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
                    .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
            if (!found) {
                String problem = tool + " is not installed (run ./scripts/install-deps --tests)";
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    fail("etcd tests must run in CI: " + problem);
                }
                Assumptions.abort("etcd tests skipped: " + problem);
            }
        }
    }

    private void launch(int size, String address, ServerTls tls) {
        List<String> names = new ArrayList<>();
        List<int[]> ports = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            names.add("member" + i);
            ports.add(new int[] {freePort(), freePort(), freePort()});
        }
        String scheme = tls == null ? "http" : "https";
        StringBuilder initial = new StringBuilder();
        for (int i = 0; i < size; i++) {
            initial.append(i == 0 ? "" : ",").append(names.get(i)).append("=http://127.0.0.1:").append(ports.get(i)[1]);
        }
        String token = root.getFileName().toString();
        for (int i = 0; i < size; i++) {
            Path data = root.resolve(names.get(i));
            Path log = root.resolve(names.get(i) + ".log");
            String client = scheme + "://" + address + ":" + ports.get(i)[0];
            String listen = address.equals("127.0.0.1") ? client
                    : client + "," + scheme + "://127.0.0.1:" + ports.get(i)[0];
            String peer = "http://127.0.0.1:" + ports.get(i)[1];
            List<String> command = new ArrayList<>(List.of("etcd", "--name", names.get(i), "--data-dir",
                    data.toString(), "--listen-client-urls", listen, "--advertise-client-urls", client,
                    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                    "--listen-metrics-urls", "http://127.0.0.1:" + ports.get(i)[2],
                    "--initial-cluster", initial.toString(), "--initial-cluster-state", "new",
                    "--initial-cluster-token", token));
            if (tls != null) {
                command.addAll(List.of("--cert-file", tls.cert().toString(), "--key-file", tls.key().toString(),
                        "--trusted-ca-file", tls.caCert().toString(), "--client-cert-auth"));
            }
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            try {
                members.add(new Member(names.get(i), address, scheme, ports.get(i)[0], ports.get(i)[1],
                        ports.get(i)[2], data, log, builder.start(), List.copyOf(command)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start etcd", e);
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops every member (SIGTERM), keeping their data for {@link #restart}. */
    public synchronized void stop() {
        for (Member member : members) {
            member.process().destroy();
        }
        for (Member member : members) {
            try {
                if (!member.process().waitFor(10, TimeUnit.SECONDS)) {
                    member.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted stopping etcd", e);
            }
        }
    }

    /** Starts every member stopped by {@link #stop} again, on its ports and data, and waits until healthy. */
    public synchronized void restart() {
        List<Member> restarted = new ArrayList<>();
        for (Member member : members) {
            try {
                restarted.add(new Member(member.name(), member.address(), member.scheme(), member.clientPort(),
                        member.peerPort(), member.healthPort(), member.dataDir(), member.log(),
                        new ProcessBuilder(member.command()).redirectErrorStream(true)
                                .redirectOutput(ProcessBuilder.Redirect.appendTo(member.log().toFile())).start(),
                        member.command()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start etcd again", e);
            }
        }
        members.clear();
        members.addAll(restarted);
        awaitHealthy();
    }

    /** Waits, within a bound, until each member answers {@code /health} with health true. */
    private void awaitHealthy() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + HEALTHY_WITHIN.toNanos();
        for (Member member : members) {
            while (!healthy(http, member)) {
                if (!member.process().isAlive()) {
                    fail("etcd " + member.name() + " ended with " + member.process().exitValue() + ":\n" + log(member));
                }
                if (System.nanoTime() > deadline) {
                    fail("etcd " + member.name() + " not healthy within " + HEALTHY_WITHIN + ":\n" + log(member));
                }
                try {
                    member.process().waitFor(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted waiting for etcd", e);
                }
            }
        }
    }

    private static boolean healthy(HttpClient http, Member member) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + member.healthPort() + "/health"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().replace(" ", "").contains("\"health\":\"true\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String log(Member member) {
        try {
            return Files.readString(member.log());
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Runs etcdctl on every member (as {@code tls}'s user over TLS, when given) and returns its output; fails on an error. */
    public String etcdctl(EtcdTls tls, String... args) {
        List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints", endpoints()));
        if (tls != null) {
            command.addAll(List.of("--cacert", tls.caCert().toString(), "--cert", tls.cert().toString(),
                    "--key", tls.key().toString()));
        }
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                fail(String.join(" ", command) + " failed:\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run etcdctl", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    /** The client URLs of every member, comma-separated, as {@code --etcd} takes them. */
    public String endpoints() {
        return String.join(",", members.stream().map(Member::clientUrl).toList());
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running and stops the members itself
        }
    }

    private synchronized void stopAll() {
        for (Member member : members) {
            member.process().destroyForcibly();
        }
        for (Member member : members) {
            try {
                member.process().waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        members.clear();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // already gone
        }
    }
}
