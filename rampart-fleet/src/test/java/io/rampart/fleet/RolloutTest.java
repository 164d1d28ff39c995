package io.rampart.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import io.rampart.model.Failure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The controller against a real etcd, with hosts that the test registers and whose reports it
 * writes as agents would: waves, halt and resume, failures past the limit, rollback, the lock.
 */
@Timeout(120)
class RolloutTest {

    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static EtcdCluster etcd;

    private EtcdStore store;
    private final List<EtcdStore.Lease> leases = new ArrayList<>();
    private final List<String> progress = new CopyOnWriteArrayList<>();
    /** Hosts that answer their assignments, and the revisions each fails on instead. */
    private final Set<String> answering = ConcurrentHashMap.newKeySet();
    private final Map<String, String> failsOn = new ConcurrentHashMap<>();
    private volatile boolean agentsRun = true;
    private Thread agents;

    @BeforeAll
    static void startEtcd() {
        etcd = EtcdCluster.single();
    }

    @AfterAll
    static void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    @BeforeEach
    void fleet() {
        store = EtcdStore.connect(etcd.endpoints(), new StoreLayout("/t" + PREFIXES.incrementAndGet() + "/"));
        store.put(store.layout().revision("r0"), "{}");
        store.put(store.layout().revision("r1"), "{}");
        for (String host : List.of("a", "b", "c")) {
            EtcdStore.Lease lease = store.lease(30, () -> { });
            leases.add(lease);
            store.put(store.layout().registration(host), "{\"host\":\"" + host + "\",\"labels\":{\"role\":\""
                    + (host.equals("c") ? "db" : "web") + "\"}}", lease);
            store.put(store.layout().assignment(host), "r0");
            report(host, "r0", "r0", HostStatus.State.CONVERGED, null);
            answering.add(host);
        }
        agents = new Thread(this::answer, "fake agents");
        agents.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        stopAgents();
        leases.forEach(EtcdStore.Lease::close);
        store.close();
    }

    private void stopAgents() throws InterruptedException {
        agentsRun = false;
        agents.join();
    }

    /** What agents do, in short: report the assigned revision converged, or failed where told to. */
    private void answer() {
        while (agentsRun) {
            for (String host : answering) {
                String assigned = store.get(store.layout().assignment(host)).orElse(null);
                if (assigned == null) {
                    continue;
                }
                HostStatus now = HostStatus.fromJson(host, "status", store.get(store.layout().status(host)).orElseThrow());
                if (assigned.equals(failsOn.get(host))) {
                    if (now.state() != HostStatus.State.FAILED || !assigned.equals(now.assigned())) {
                        report(host, now.revision(), assigned, HostStatus.State.FAILED, "host.rules:3:9: error: bad");
                    }
                } else if (!assigned.equals(now.revision()) || now.state() != HostStatus.State.CONVERGED) {
                    report(host, assigned, assigned, HostStatus.State.CONVERGED, null);
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void report(String host, String revision, String assigned, HostStatus.State state, String error) {
        store.put(store.layout().status(host), HostStatus.now(host, revision, assigned, state, error).toJson());
    }

    private Rollout controller() {
        return new Rollout(store, "tester@here", progress::add);
    }

    private static Rollout.Request request(String select, String waves, int maxFailures) {
        return new Rollout.Request("r1", HostValues.parseLabels("--select", select), Waves.parse(waves),
                Duration.ZERO, Duration.ofSeconds(30), maxFailures);
    }

    @Test
    void everySelectedHostMovesWaveByWaveAndOthersStay() {
        Rollout.Ended ended = controller().start(request("role=web", "1,100%", 0));
        assertThat(ended.state().result()).isEqualTo(RolloutState.Result.SUCCEEDED);
        assertThat(ended.state().plan()).containsExactly(List.of("a"), List.of("b"));
        assertThat(ended.state().hosts().get("a").previous()).isEqualTo("r0");
        assertThat(store.get(store.layout().assignment("b"))).contains("r1");
        assertThat(store.get(store.layout().assignment("c"))).contains("r0");
        assertThat(progress).contains("wave 1/2: a assigned r1", "  a: converged on r1", "wave 2/2: passed");
        assertThat(store.get(store.layout().rolloutLock())).isEmpty();
        assertThat(FleetView.read(store).rollout().result()).isEqualTo(RolloutState.Result.SUCCEEDED);
    }

    @Test
    void aHaltStopsTheControllerAndResumeContinuesFromItsWave() throws Exception {
        answering.remove("c");
        CompletableFuture<Rollout.Ended> running = CompletableFuture.supplyAsync(() -> controller()
                .start(request("", "1,100%", 0)));
        await("wave 2 waiting for c", () -> Rollout.current(store).map(state -> state.wave() == 2
                && state.hosts().get("c").outcome() == RolloutState.Outcome.WAITING).orElse(false));
        assertThatThrownBy(() -> controller().start(request("", "100%", 0)))
                .hasMessageContaining("is not over: `rampart fleet resume' continues it");
        RolloutState halted = controller().halt();
        assertThat(halted.reason()).isEqualTo("halted by tester@here");
        Rollout.Ended stopped = running.get(10, TimeUnit.SECONDS);
        assertThat(stopped.state().result()).isEqualTo(RolloutState.Result.HALTED);
        assertThat(stopped.complete()).isFalse();
        assertThat(store.get(store.layout().assignment("c"))).contains("r1");

        answering.add("c");
        Rollout.Ended resumed = controller().resume();
        assertThat(resumed.state().result()).isEqualTo(RolloutState.Result.SUCCEEDED);
        assertThat(resumed.complete()).isTrue();
        assertThatThrownBy(() -> controller().resume()).hasMessageEndingWith(": nothing to resume");
    }

    @Test
    void failuresPastTheLimitHaltAndReturnTheWaveThenRollbackReturnsEveryHost() {
        failsOn.put("b", "r1");
        Rollout.Ended ended = controller().start(request("", "1,100%", 0));
        RolloutState state = ended.state();
        assertThat(state.result()).isEqualTo(RolloutState.Result.HALTED);
        assertThat(state.reason()).isEqualTo("wave 2/2 failed: 1 host(s) failed, more than --max-failures 0 (b);"
                + " its hosts were returned to their previous revisions");
        assertThat(state.hosts().get("b").outcome()).isEqualTo(RolloutState.Outcome.ROLLED_BACK);
        assertThat(state.hosts().get("b").error()).contains("host.rules:3:9: error: bad");
        assertThat(store.get(store.layout().assignment("a"))).contains("r1");
        assertThat(store.get(store.layout().assignment("b"))).contains("r0");
        assertThat(store.get(store.layout().assignment("c"))).contains("r0");

        Rollout.Ended back = controller().rollback();
        assertThat(back.complete()).isTrue();
        assertThat(back.state().result()).isEqualTo(RolloutState.Result.ROLLED_BACK);
        assertThat(store.get(store.layout().assignment("a"))).contains("r0");
        assertThatThrownBy(() -> controller().rollback()).hasMessageEndingWith(": nothing to roll back");
    }

    @Test
    void failuresWithinTheLimitLetTheRolloutGoOn() {
        failsOn.put("a", "r1");
        Rollout.Ended ended = controller().start(request("", "1,100%", 1));
        assertThat(ended.state().result()).isEqualTo(RolloutState.Result.SUCCEEDED);
        assertThat(ended.complete()).isFalse();
        assertThat(ended.state().hosts().get("a").outcome()).isEqualTo(RolloutState.Outcome.FAILED);
        assertThat(ended.state().hosts().get("c").outcome()).isEqualTo(RolloutState.Outcome.PASSED);
    }

    @Test
    void aHostSilentPastTheDeadlineFailsAndOneLeavingDuringTheBakeFails() throws InterruptedException {
        answering.remove("c");
        Rollout.Ended late = controller().start(new Rollout.Request("r1", Map.of(), Waves.parse("100%"), Duration.ZERO,
                Duration.ofSeconds(1), 5));
        assertThat(late.state().hosts().get("c").error()).isEqualTo("not applied and healthy on r1 within 1 s"
                + " (applying)");
        assertThat(late.state().hosts().get("a").outcome()).isEqualTo(RolloutState.Outcome.PASSED);

        answering.add("c");
        store.put(store.layout().revision("r2"), "{}");
        CompletableFuture<Rollout.Ended> baking = CompletableFuture.supplyAsync(() -> controller().start(
                new Rollout.Request("r2", Map.of(), Waves.parse("100%"), Duration.ofSeconds(30), Duration.ofSeconds(5),
                        0)));
        await("the wave baking", () -> progress.contains("  baking 30 s"));
        stopAgents();
        report("b", "r1", "r2", HostStatus.State.APPLYING, null);
        RolloutState halted = baking.join().state(); // after the deadline for the wave's return: no agent answers
        assertThat(halted.result()).isEqualTo(RolloutState.Result.HALTED);
        assertThat(halted.hosts().get("b").error()).isEqualTo("left r2 while baking: applying");
    }

    @Test
    void aSecondControllerIsRefusedNamingTheFirstAndALostLockWritesNothing() {
        ControllerLock first = ControllerLock.take(store, ControllerLock.holderValue("one@here", "rampart fleet rollout"),
                Duration.ZERO, progress::add);
        assertThatThrownBy(() -> ControllerLock.take(store, ControllerLock.holderValue("two@here", "rampart fleet"
                + " resume"), Duration.ZERO, progress::add))
                .isInstanceOf(Failure.class)
                .hasMessageStartingWith("another controller acts on the rollout: `rampart fleet rollout' of one@here");
        StoreTransaction stale = first.guard().put(store.layout().rollout(), "{}");
        first.close();
        assertThat(stale.commit()).isEmpty();
        assertThat(store.get(store.layout().rollout())).isEmpty();
        try (ControllerLock second = ControllerLock.take(store, ControllerLock.holderValue("two@here", "x"),
                Duration.ZERO, progress::add)) {
            assertThat(second.held()).isTrue();
        }
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsWritten() {
        assertThatThrownBy(() -> controller().start(new Rollout.Request("nope", Map.of(), Waves.parse("100%"),
                Duration.ZERO, Duration.ofSeconds(5), 0))).hasMessageStartingWith("revision nope is not published");
        assertThatThrownBy(() -> controller().start(request("role=mail", "100%", 0)))
                .hasMessage("--select role=mail matches none of the 3 host(s) registered; nothing was rolled out");
        assertThat(store.get(store.layout().rollout())).isEmpty();
        assertThat(store.get(store.layout().assignment("a"))).contains("r0");
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within 30 s: " + what);
            }
            Thread.sleep(20);
        }
    }
}
