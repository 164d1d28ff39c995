package io.rampart.cli;

import static io.rampart.cli.FleetKernelSupport.await;
import static io.rampart.cli.FleetKernelSupport.converged;
import static io.rampart.cli.FleetKernelSupport.rules;
import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.fleet.EtcdCluster;
import io.rampart.fleet.EtcdStore;
import io.rampart.fleet.FleetAgent;
import io.rampart.fleet.StoreLayout;
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
 * {@code fleet plan}: each selected agent plans a revision against its own kernel with its own values
 * and applies nothing; a host whose values break it is named with check's errors, and a host that is
 * online but does not answer is listed once the wait is over.
 */
@Timeout(120)
class FleetPlanKernelTest {

    private static final String RULESET = """
            *filter
            :INPUT DROP
            -A INPUT -i lo -j ACCEPT
            if defined SSH_FROM
              -A INPUT -s $SSH_FROM -p tcp --dport 22 -j ACCEPT
            end
            COMMIT
            """;

    @TempDir
    Path dir;

    @Test
    void everySelectedHostPlansWithItsOwnValuesAndTheSilentOnesAreListed() throws Exception {
        KernelTestSupport.requireKernel();
        try (Netns web1Netns = KernelTestSupport.namespaceWithInterface("rampart-fleet-plan1", "eth0", "10.74.0.1/24");
             Netns web2Netns = KernelTestSupport.namespaceWithInterface("rampart-fleet-plan2", "eth0", "10.74.0.2/24");
             EtcdCluster etcd = EtcdCluster.single();
             EtcdStore store = EtcdStore.connect(etcd.endpoints(), StoreLayout.standard())) {
            Files.writeString(dir.resolve("host.rules"), RULESET);
            String first = publish(etcd);
            Files.writeString(dir.resolve("host.rules"), RULESET.replace("COMMIT",
                    "-A INPUT -p tcp --dport 443 -j ACCEPT\nCOMMIT"));
            String second = publish(etcd);
            store.put("/rampart/hosts/web1/vars/SSH_FROM", "192.0.2.0/24");
            store.put("/rampart/hosts/web2/vars/SSH_FROM", "192.0.2.0/24");
            store.put("/rampart/assign/web1", first);
            store.put("/rampart/assign/web2", first);
            StringWriter log = new StringWriter();
            List<FleetAgent> agents = List.of(
                    FleetRunner.fleetAgent(store, "web1", Map.of("role", "web"), dir.resolve("web1"), Family.IPV4,
                            web1Netns, Duration.ofSeconds(5), new PrintWriter(log, true)),
                    FleetRunner.fleetAgent(store, "web2", Map.of("role", "db"), dir.resolve("web2"), Family.IPV4,
                            web2Netns, Duration.ofSeconds(5), new PrintWriter(log, true)));
            List<Thread> running = new ArrayList<>();
            for (FleetAgent agent : agents) {
                running.add(FleetKernelSupport.startOnThread(agent));
            }
            // web3 is online (its lease holds its registration) but nothing answers for it.
            try (EtcdStore.Lease lease = store.lease(30, () -> { })) {
                store.put("/rampart/hosts/web3/registration", "{\"host\":\"web3\",\"labels\":{\"role\":\"web\"}}",
                        lease);
                await("both agents converged on " + first, () -> converged(store, "web1", first)
                        && converged(store, "web2", first), log::toString);
                List<String> web1Rules = rules(web1Netns);
                store.put("/rampart/hosts/web2/vars/SSH_FROM", "not-an-address");
                await("web2 reporting its broken value", () -> FleetKernelSupport.status(store, "web2").error() != null,
                        log::toString);

                Run all = Run.of("fleet", "plan", second, "--etcd", etcd.endpoints(), "--wait", "3s");
                assertThat(all.exitCode()).as(all.err()).isEqualTo(1);
                assertThat(all.out()).contains("web1: 1 chain, 1 rule (1 added, 0 removed, 0 replaced)\n"
                                + "  filter INPUT: update\n"
                                + "    + 3: -A INPUT -p tcp -m tcp --dport 443 -j ACCEPT   [")
                        .contains("web2: fails with its values\n")
                        .contains("not-an-address")
                        .contains("web3: no answer within 3 s\n")
                        .contains("3 host(s): 1 planned, 1 failed, 1 did not answer");
                assertThat(rules(web1Netns)).as("a plan applies nothing").isEqualTo(web1Rules);

                Run selected = Run.of("fleet", "plan", second, "--etcd", etcd.endpoints(), "--select", "role=db",
                        "--json");
                assertThat(selected.exitCode()).isEqualTo(1);
                assertThat(Json.parse(selected.out()).path("failed").toString()).isEqualTo("[\"web2\"]");
                assertThat(Json.parse(selected.out()).path("hosts")).hasSize(1);

                Run none = Run.of("fleet", "plan", second, "--etcd", etcd.endpoints(), "--select", "role=mail");
                assertThat(none.exitCode()).isEqualTo(1);
                assertThat(none.err()).contains("--select {role=mail}: no online host has these labels");
                Run unknown = Run.of("fleet", "plan", "0123456789abcdef0123", "--etcd", etcd.endpoints());
                assertThat(unknown.exitCode()).isEqualTo(1);
                assertThat(unknown.err()).contains("revision 0123456789abcdef0123 is not published");
            } finally {
                agents.forEach(FleetAgent::stop);
                for (Thread thread : running) {
                    thread.join(FleetKernelSupport.WITHIN.toMillis());
                }
            }
        }
    }

    private String publish(EtcdCluster etcd) {
        Run run = Run.of("fleet", "publish", dir.resolve("host.rules").toString(), "--etcd", etcd.endpoints());
        assertThat(run.exitCode()).as(run.err()).isZero();
        return run.out().lines().reduce((a, b) -> b).orElseThrow();
    }
}
