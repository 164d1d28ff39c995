package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import io.rampart.fleet.EtcdCluster;
import io.rampart.fleet.EtcdStore;
import io.rampart.fleet.EtcdTls;
import io.rampart.fleet.FleetAgent;
import io.rampart.fleet.HostStatus;
import io.rampart.fleet.StoreLayout;
import io.rampart.fleet.TestCertificates;
import io.rampart.model.Failure;
import io.rampart.model.Family;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet over TLS with client certificates and the roles the README gives: the operator's
 * certificate publishes, assigns and reads the fleet; a host's certificate lets its agent read what it
 * runs and report its own status, and nothing else.
 */
@Timeout(120)
class FleetTlsKernelTest {

    private static final Duration WITHIN = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aHostsCertificateReadsTheDesiredStateAndWritesOnlyItsOwnStatus() throws Exception {
        KernelTestSupport.requireKernel();
        EtcdCluster.requireEtcd();
        Files.createDirectories(dir.resolve("certs"));
        TestCertificates ca = TestCertificates.authority(dir.resolve("certs"));
        EtcdTls root = ca.client("root");
        EtcdTls admin = ca.client("fleet-admin");
        EtcdTls web1 = ca.client("web1");
        try (Netns netns = KernelTestSupport.namespaceWithInterface("rampart-fleet-tls", "eth0", "10.73.0.1/24");
             EtcdCluster etcd = EtcdCluster.single("127.0.0.1", ca.server())) {
            grantRoles(etcd, root);
            Files.writeString(dir.resolve("host.rules"), "*filter\n:INPUT DROP\n-A INPUT -i lo -j ACCEPT\n"
                    + "-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n");
            Run published = Run.of(tls(admin, "fleet", "publish", dir.resolve("host.rules").toString(), "--etcd",
                    etcd.endpoints()));
            assertThat(published.exitCode()).as(published.err()).isZero();
            String revision = published.out().lines().reduce((a, b) -> b).orElseThrow();
            assertThat(Run.of("fleet", "publish", dir.resolve("host.rules").toString(), "--etcd",
                    etcd.endpoints().replace("https", "http")).exitCode()).as("no certificate, no fleet").isEqualTo(4);

            try (EtcdStore operator = EtcdStore.connect(etcd.endpoints(), StoreLayout.standard(), admin);
                 EtcdStore host = EtcdStore.connect(etcd.endpoints(), StoreLayout.standard(), web1)) {
                operator.put("/rampart/assign/web1", revision);
                StringWriter log = new StringWriter();
                FleetAgent agent = FleetRunner.fleetAgent(host, "web1", Map.of(), dir.resolve("state"), Family.IPV4,
                        netns, Duration.ofSeconds(5), new PrintWriter(log, true));
                Thread running = FleetKernelSupport.startOnThread(agent);
                try {
                    long deadline = System.nanoTime() + WITHIN.toNanos();
                    while (!converged(operator, revision)) {
                        if (System.nanoTime() > deadline) {
                            fail("web1 not converged on " + revision + " within " + WITHIN + "; its log:\n" + log);
                        }
                        Thread.sleep(50);
                    }
                } finally {
                    agent.stop();
                    running.join(WITHIN.toMillis());
                }

                assertThat(host.get("/rampart/revisions/" + revision)).isPresent();
                host.put("/rampart/hosts/web1/status", operator.get("/rampart/hosts/web1/status").orElseThrow());
                for (String key : List.of("/rampart/hosts/web2/status", "/rampart/hosts/web2/registration",
                        "/rampart/hosts/web2/plan", "/rampart/plan/request",
                        "/rampart/assign/web1", "/rampart/hosts/web1/vars/SSH_FROM", "/rampart/revisions/x")) {
                    assertThatThrownBy(() -> host.put(key, "{}"), key)
                            .isInstanceOfSatisfying(Failure.class, e -> assertThat(e.category()).isEqualTo(Failure.Category.SYSTEM))
                            .hasMessageContaining("cannot write " + key).hasMessageContaining("permission denied");
                }
                assertThatThrownBy(() -> host.list("/rampart/hosts/")).hasMessageContaining("permission denied");
            }

            Run status = Run.of(tls(admin, "fleet", "status", "--etcd", etcd.endpoints()));
            assertThat(status.exitCode()).as(status.err()).isZero();
            assertThat(status.out()).contains("web1  converged  revision " + revision);
            Run denied = Run.of(tls(web1, "fleet", "status", "--etcd", etcd.endpoints()));
            assertThat(denied.exitCode()).isEqualTo(4);
            assertThat(denied.err()).contains("permission denied");
        }
    }

    /** The roles of the README: root, the operator's fleet-admin, and web1's own. */
    private static void grantRoles(EtcdCluster etcd, EtcdTls root) {
        List<List<String>> commands = List.of(
                List.of("user", "add", "root", "--no-password"),
                List.of("role", "add", "fleet-admin"),
                List.of("role", "grant-permission", "fleet-admin", "readwrite", "/rampart/", "--prefix"),
                List.of("user", "add", "fleet-admin", "--no-password"),
                List.of("user", "grant-role", "fleet-admin", "fleet-admin"),
                List.of("role", "add", "host-web1"),
                List.of("role", "grant-permission", "host-web1", "read", "/rampart/revisions/", "--prefix"),
                List.of("role", "grant-permission", "host-web1", "read", "/rampart/assign/web1"),
                List.of("role", "grant-permission", "host-web1", "read", "/rampart/hosts/web1/vars/", "--prefix"),
                List.of("role", "grant-permission", "host-web1", "readwrite", "/rampart/hosts/web1/registration"),
                List.of("role", "grant-permission", "host-web1", "readwrite", "/rampart/hosts/web1/status"),
                List.of("role", "grant-permission", "host-web1", "read", "/rampart/plan/request"),
                List.of("role", "grant-permission", "host-web1", "readwrite", "/rampart/hosts/web1/plan"),
                List.of("user", "add", "web1", "--no-password"),
                List.of("user", "grant-role", "web1", "host-web1"),
                List.of("auth", "enable"));
        for (List<String> command : commands) {
            etcd.etcdctl(root, command.toArray(String[]::new));
        }
    }

    /** A fleet command line with {@code tls}'s certificate. */
    private static String[] tls(EtcdTls tls, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--etcd-cacert", tls.caCert().toString(), "--etcd-cert", tls.cert().toString(),
                "--etcd-key", tls.key().toString()));
        return all.toArray(String[]::new);
    }

    private static boolean converged(EtcdStore store, String revision) {
        return store.get("/rampart/hosts/web1/status").map(json -> HostStatus.fromJson("web1", "status", json))
                .filter(s -> s.state() == HostStatus.State.CONVERGED && revision.equals(s.revision())).isPresent();
    }
}
