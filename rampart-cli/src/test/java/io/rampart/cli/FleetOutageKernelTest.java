package io.rampart.cli;

import static io.rampart.cli.FleetKernelSupport.await;
import static io.rampart.cli.FleetKernelSupport.converged;
import static io.rampart.cli.FleetKernelSupport.publish;
import static io.rampart.cli.FleetKernelSupport.read;
import static io.rampart.cli.FleetKernelSupport.rules;
import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.fleet.EtcdCluster;
import io.rampart.fleet.EtcdStore;
import io.rampart.fleet.StoreLayout;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host whose agent runs inside its namespace loses etcd: first its own link (while revisions are
 * published and etcd compacts the history its watch would resume from), then etcd altogether (drift
 * is still repaired, and an agent started again without etcd enforces the last good revision from
 * its state directory). Each time it catches up once etcd is back.
 */
@Timeout(150)
class FleetOutageKernelTest {

    private static final String ADDED = "-A INPUT -p tcp -m tcp --dport %d -j ACCEPT";

    @TempDir
    Path dir;

    @Test
    void aHostKeepsItsRulesWithoutEtcdAndCatchesUpWhenItIsBack() throws Exception {
        KernelTestSupport.requireKernel();
        FleetKernelSupport.Link link = FleetKernelSupport.Link.random();
        Path log = dir.resolve("web1.log");
        Supplier<String> logs = () -> read(log);
        try (Netns web1 = Netns.throwaway("fleet-outage", ProcessRunner.system())) {
            FleetKernelSupport.connect(web1, link);
            try (EtcdCluster etcd = EtcdCluster.single(link.here(), null);
                 EtcdStore store = EtcdStore.connect(etcd.endpoints(), StoreLayout.standard())) {
                String first = publish(etcd, dir.resolve("r1"), "-A INPUT -p tcp --dport 1001 -j ACCEPT\n");
                store.put("/rampart/assign/web1", first);
                Process agent = FleetKernelSupport.startInside(web1, etcd.endpoints(), "web1", dir.resolve("state"),
                        log);
                try {
                    await("web1 converged on " + first, () -> converged(store, "web1", first), logs);

                    // The link is cut: revisions come and go, and etcd compacts away what the watch saw last.
                    link.set(false);
                    String latest = null;
                    for (int port = 1002; port <= 1004; port++) {
                        latest = publish(etcd, dir.resolve("r" + port), "-A INPUT -p tcp --dport " + port
                                + " -j ACCEPT\n");
                        store.put("/rampart/assign/web1", latest);
                    }
                    await("web1's lease expired while it is cut off",
                            () -> store.get("/rampart/hosts/web1/registration").isEmpty(), logs);
                    etcd.etcdctl(null, "compact", Long.toString(store.revision()));
                    assertThat(rules(web1)).contains(ADDED.formatted(1001));
                    link.set(true);
                    String caughtUp = latest;
                    await("web1 caught up on " + caughtUp, () -> converged(store, "web1", caughtUp)
                            && rules(web1).contains(ADDED.formatted(1004)), logs);
                    assertThat(rules(web1)).doesNotContain(ADDED.formatted(1001));

                    // etcd stops: the rules stay, and drift made by hand is repaired.
                    etcd.stop();
                    List<String> held = rules(web1);
                    web1.run(List.of("iptables", "-D", "INPUT", "-p", "tcp", "--dport", "1004", "-j", "ACCEPT"), "");
                    await("the drift repaired without etcd", () -> rules(web1).equals(held), logs);

                    // An agent started again while etcd is down enforces the last good revision from its disk.
                    FleetKernelSupport.stop(agent);
                    web1.run(List.of("iptables", "-F", "INPUT"), "");
                    agent = FleetKernelSupport.startInside(web1, etcd.endpoints(), "web1", dir.resolve("state"), log);
                    await("the last good revision enforced by a new agent without etcd",
                            () -> rules(web1).equals(held), logs);

                    etcd.restart();
                    String after = publish(etcd, dir.resolve("r1005"), "-A INPUT -p tcp --dport 1005 -j ACCEPT\n");
                    // A client of its own: the test's first one waits out gRPC's reconnection backoff.
                    try (EtcdStore again = EtcdStore.connect(etcd.endpoints(), StoreLayout.standard())) {
                        again.put("/rampart/assign/web1", after);
                        await("web1 caught up on " + after + " once etcd is back", () -> converged(again, "web1", after)
                                && rules(web1).contains(ADDED.formatted(1005)), logs);
                    }
                } finally {
                    FleetKernelSupport.stop(agent);
                }
            }
        }
    }
}
