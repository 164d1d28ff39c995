package io.rampart.cli;

import static io.rampart.cli.FleetKernelSupport.await;
import static io.rampart.cli.FleetKernelSupport.converged;
import static io.rampart.cli.FleetKernelSupport.publish;
import static io.rampart.cli.FleetKernelSupport.read;
import static io.rampart.cli.FleetKernelSupport.rules;
import static io.rampart.cli.FleetKernelSupport.status;
import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.fleet.EtcdCluster;
import io.rampart.fleet.EtcdStore;
import io.rampart.fleet.FleetAgent;
import io.rampart.fleet.HostStatus;
import io.rampart.fleet.StoreLayout;
import io.rampart.model.Family;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

    @TempDir
    Path dir;

    @Test
    void aRevisionThatCutsTheCanaryOffEtcdIsRefusedOrRolledBackAndTheOtherHostStaysOnItsOwn() throws Exception {
        KernelTestSupport.requireKernel();
        FleetKernelSupport.Link link = FleetKernelSupport.Link.random();
        try (Netns canary = Netns.throwaway("fleet-canary", ProcessRunner.system());
             Netns other = KernelTestSupport.namespaceWithInterface("rampart-fleet-other", "eth0", "10.72.0.1/24")) {
            FleetKernelSupport.connect(canary, link);
            try (EtcdCluster etcd = EtcdCluster.single(link.here(), null);
                 EtcdStore store = EtcdStore.connect(etcd.endpoints(), StoreLayout.standard())) {
                int port = etcd.members().get(0).clientPort();
                String good = publish(etcd, dir.resolve("good"), "");
                store.put("/rampart/assign/canary", good);
                store.put("/rampart/assign/other", good);

                StringWriter otherLog = new StringWriter();
                FleetAgent otherAgent = FleetRunner.fleetAgent(store, "other", Map.of(), dir.resolve("other"),
                        Family.IPV4, other, Duration.ofSeconds(5), new PrintWriter(otherLog, true));
                Thread otherRunning = FleetKernelSupport.startOnThread(otherAgent);
                Path canaryLog = dir.resolve("canary.log");
                Process canaryAgent = FleetKernelSupport.startInside(canary, etcd.endpoints(), "canary",
                        dir.resolve("canary"), canaryLog, "--grace", "5s");
                Supplier<String> logs = () -> read(canaryLog) + "\nother host:\n" + otherLog;
                try {
                    await("both hosts converged on " + good, () -> converged(store, "canary", good)
                            && converged(store, "other", good), logs);
                    List<String> goodRules = rules(canary);

                    // The trace sees the DROP of the canary's new connections to etcd: refused, nothing written.
                    String cutting = publish(etcd, dir.resolve("cutting"), "-A OUTPUT -d " + link.here()
                            + " -p tcp --dport " + port + " -j DROP\n");
                    store.put("/rampart/assign/canary", cutting);
                    await("the canary refusing " + cutting, () -> failedOn(store, cutting), logs);
                    HostStatus refused = status(store, "canary");
                    assertThat(refused.revision()).isEqualTo(good);
                    assertThat(refused.error()).contains("/revisions/" + cutting + "/host.rules:9:1: error: this"
                            + " ruleset would cut off this host's connections to etcd (" + link.there() + ":32768 -> "
                            + link.here() + ":" + port + "): its new connections are dropped by filter OUTPUT rule 1");
                    assertThat(rules(canary)).isEqualTo(goodRules);

                    // The trace cannot tell whose packets -m owner drops: applied, etcd silent, rolled back.
                    String hidden = publish(etcd, dir.resolve("hidden"), "-A OUTPUT -p tcp --dport " + port
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
                    FleetKernelSupport.stop(canaryAgent);
                    otherAgent.stop();
                    otherRunning.join(FleetKernelSupport.WITHIN.toMillis());
                }
            }
        }
    }

    private static boolean failedOn(EtcdStore store, String assigned) {
        HostStatus status = status(store, "canary");
        return status.state() == HostStatus.State.FAILED && assigned.equals(status.assigned());
    }
}
