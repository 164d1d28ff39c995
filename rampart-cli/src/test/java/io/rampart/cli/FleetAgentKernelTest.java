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
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One host in a namespace follows what etcd assigns it, with its own values, and keeps it without etcd. */
@Timeout(180)
class FleetAgentKernelTest {

    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final String RULESET = """
            *filter
            :INPUT DROP
            -A INPUT -i lo -j ACCEPT
            if defined role
              if $role == web
                -A INPUT -d @addr(eth0) -p tcp --dport 80 -j ACCEPT
              end
            end
            if defined SSH_FROM
              -A INPUT -s $SSH_FROM -p tcp --dport 22 -j ACCEPT
            end
            include "more.rules"
            COMMIT
            """;

    @TempDir
    Path dir;

    @Test
    void followsItsAssignmentWithItsOwnValuesRepairsDriftAndKeepsTheLastGoodRevisionWithoutEtcd() throws Exception {
        KernelTestSupport.requireKernel();
        Path state = dir.resolve("state");
        try (Netns netns = KernelTestSupport.namespaceWithInterface("rampart-fleet-agent", "eth0", "10.71.0.1/24")) {
            String first;
            try (EtcdCluster etcd = EtcdCluster.single();
                 EtcdStore store = EtcdStore.connect(etcd.endpoints(), StoreLayout.standard())) {
                Files.writeString(dir.resolve("host.rules"), RULESET);
                Files.writeString(dir.resolve("more.rules"), "-A INPUT -p icmp -j ACCEPT\n");
                first = publish(etcd, dir.resolve("host.rules"));
                store.put("/rampart/hosts/web1/vars/SSH_FROM", "192.0.2.0/24");
                store.put("/rampart/assign/web1", first);

                StringWriter log = new StringWriter();
                FleetAgent agent = FleetRunner.fleetAgent(store, "web1", Map.of("role", "web"), state, Family.IPV4,
                        netns, Duration.ofSeconds(5), new PrintWriter(log, true));
                Thread running = FleetKernelSupport.startOnThread(agent);
                try {
                    await("web1 converged on " + first, () -> status(store).state() == HostStatus.State.CONVERGED
                            && first.equals(status(store).revision()), log);
                    List<String> rules = save(netns);
                    assertThat(rules).contains("-A INPUT -d 10.71.0.1/32 -p tcp -m tcp --dport 80 -j ACCEPT",
                            "-A INPUT -s 192.0.2.0/24 -p tcp -m tcp --dport 22 -j ACCEPT",
                            "-A INPUT -p icmp -j ACCEPT");
                    assertThat(store.get("/rampart/hosts/web1/registration")).isPresent();

                    netns.run(List.of("iptables", "-F", "INPUT"), "");
                    await("the flushed INPUT chain repaired", () -> save(netns).equals(rules), log);

                    // Valid as published, wrong with this host's value: web1 fails alone and keeps the first.
                    Files.writeString(dir.resolve("more.rules"), "-A INPUT -p udp --dport 53 -j ACCEPT\n");
                    String second = publish(etcd, dir.resolve("host.rules"));
                    store.put("/rampart/hosts/web1/vars/SSH_FROM", "not-an-address");
                    store.put("/rampart/assign/web1", second);
                    await("web1 failed on " + second, () -> status(store).state() == HostStatus.State.FAILED
                            && second.equals(status(store).assigned()), log);
                    HostStatus failed = status(store);
                    assertThat(failed.revision()).isEqualTo(first);
                    assertThat(failed.error()).contains("not-an-address").contains("error:");
                    assertThat(save(netns)).isEqualTo(rules);
                    Run shown = Run.of("fleet", "status", "--etcd", etcd.endpoints());
                    assertThat(shown.exitCode()).isEqualTo(3);
                    assertThat(shown.out()).contains("web1  failed     revision " + first + " (assigned " + second
                            + ")").contains("not-an-address");

                    store.put("/rampart/hosts/web1/vars/SSH_FROM", "198.51.100.0/24");
                    await("web1 converged on " + second, () -> status(store).state() == HostStatus.State.CONVERGED
                            && second.equals(status(store).revision()), log);
                    assertThat(save(netns)).contains("-A INPUT -s 198.51.100.0/24 -p tcp -m tcp --dport 22 -j ACCEPT",
                            "-A INPUT -p udp -m udp --dport 53 -j ACCEPT").doesNotContain("-A INPUT -p icmp -j ACCEPT");
                    assertThat(Run.of("fleet", "status", "--etcd", etcd.endpoints()).exitCode()).isZero();
                } finally {
                    agent.stop();
                    running.join(WITHIN.toMillis());
                }
            }

            // etcd is gone: a new agent on the same state directory enforces the last good revision.
            netns.run(List.of("iptables", "-F", "INPUT"), "");
            StringWriter log = new StringWriter();
            try (EtcdStore gone = EtcdStore.connect("http://127.0.0.1:9", StoreLayout.standard())) {
                FleetAgent agent = FleetRunner.fleetAgent(gone, "web1", Map.of("role", "web"), state, Family.IPV4,
                        netns, Duration.ofSeconds(5), new PrintWriter(log, true));
                Thread running = FleetKernelSupport.startOnThread(agent);
                try {
                    await("the last good revision enforced without etcd", () -> save(netns)
                            .contains("-A INPUT -s 198.51.100.0/24 -p tcp -m tcp --dport 22 -j ACCEPT"), log);
                    await("the agent saying etcd is unreachable", () -> log.toString()
                            .contains("etcd at http://127.0.0.1:9"), log);
                } finally {
                    agent.stop();
                    running.join(WITHIN.toMillis());
                }
            }
        }
    }

    private static String publish(EtcdCluster etcd, Path file) {
        Run run = Run.of("fleet", "publish", file.toString(), "--etcd", etcd.endpoints());
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        return lines.get(lines.size() - 1);
    }

    private static HostStatus status(EtcdStore store) {
        return store.get("/rampart/hosts/web1/status")
                .map(json -> HostStatus.fromJson("web1", "status", json))
                .orElse(new HostStatus("web1", null, null, HostStatus.State.OFFLINE, null, null));
    }

    private static List<String> save(Netns netns) {
        return netns.run(List.of("iptables-save", "-t", "filter"), "").stdout().lines()
                .filter(line -> line.startsWith("-A INPUT")).toList();
    }

    /** Waits for {@code condition} within a bound, failing with the agent's log. */
    private static void await(String what, BooleanSupplier condition, StringWriter log) throws InterruptedException {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + ": not within " + WITHIN + "; agent log:\n" + log);
            }
            Thread.sleep(50);
        }
    }
}
