package io.rampart.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.KernelView;
import io.rampart.reconcile.LiveState;
import io.rampart.reconcile.Reconciler;
import io.rampart.syntax.RulesetParser;
import io.rampart.system.agent.KernelMonitor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The view of the kernel a long-lived writer keeps ({@link KernelView}, fed by {@link KernelMonitor}
 * as the agent feeds it), against the kernel itself: seeded random interleavings of applies planned
 * on the view, hand edits of Rampart's chains and other programs' writes (rules, policies, chains
 * made, renamed, flushed and removed). After each quiet period the view must hold exactly what a
 * fresh iptables-save holds, and after each apply the kernel must hold the desired state; so also
 * when the view tells its own writes by the process each transaction's end names, as the agent's
 * does, and those writes then list nothing.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KernelViewKernelTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final int STEPS = 40;
    private static final int CHAINS = 6;

    private static Netns netns;
    private static Iptables iptables;
    private static Reconciler reconciler;
    private KernelView view;
    private KernelMonitor monitor;
    /** How many transactions' ends the monitor has told. */
    private final AtomicInteger committed = new AtomicInteger();

    @BeforeAll
    static void start() {
        KernelTestSupport.requireKernel();
        netns = Netns.throwaway("view", ProcessRunner.system());
        iptables = new Iptables(netns, Family.IPV4);
        reconciler = new Reconciler(new SystemXtables(netns), StandardExtensions.registry());
    }

    /** A view fed by a monitor; {@code attributing}: with each transaction's end and process, as the agent feeds it. */
    private void watch(boolean attributing) {
        view = reconciler.view(Family.IPV4);
        if (attributing) {
            view.attributing();
        }
        monitor = KernelMonitor.watch(netns, Family.IPV4, change -> {
            if (change instanceof KernelMonitor.Change.OfChain chain) {
                view.changed(chain.table(), chain.chain());
            } else if (change instanceof KernelMonitor.Change.RuleDeleted deleted) {
                view.deleted(deleted.table(), deleted.chain(), deleted.handle());
            } else if (change instanceof KernelMonitor.Change.Committed end) {
                if (attributing) {
                    view.committed(end.process());
                }
                committed.incrementAndGet();
            } else if (attributing && change instanceof KernelMonitor.Change.Uncertain) {
                view.changedSomewhere();
            } else {
                view.uncertain();
            }
        }, ended -> { });
    }

    @AfterEach
    void stopWatching() {
        if (monitor != null) {
            monitor.close();
        }
    }

    @AfterAll
    static void stop() {
        if (netns != null) {
            netns.close();
        }
    }

    @Test
    void theViewHoldsWhatTheKernelHoldsThroughRandomChanges() throws Exception {
        watch(false);
        randomChanges();
    }

    @Test
    void aViewThatTellsItsOwnWritesHoldsWhatTheKernelHoldsThroughRandomChanges() throws Exception {
        watch(true);
        randomChanges();
        assertThat(view.ownWritesTaken()).isPositive();
    }

    /** After its own write's transaction has ended, the view lists nothing and reads nothing. */
    @Test
    void itsOwnWritesListNothing() throws Exception {
        watch(true);
        Random random = new Random(1);
        int first = committed.get();
        reconciler.apply(desired(random, 0), view);
        Eventually.await("the end of the first write's transaction", PATIENCE, () -> committed.get() > first);
        for (int version = 1; version <= 5; version++) {
            long reads = view.fullReads();
            long listed = view.chainsListed();
            int ends = committed.get();
            DesiredState desired = desired(random, version);
            Reconciler.Applied applied = reconciler.apply(desired, view);
            assertThat(applied.written()).isTrue();
            Eventually.await("the end of the write's transaction", PATIENCE, () -> committed.get() > ends);
            assertThat(reconciler.apply(desired, view).written()).isFalse();
            assertThat(view.fullReads()).as("full reads after version " + version).isEqualTo(reads);
            assertThat(view.chainsListed()).as("chains listed after version " + version).isEqualTo(listed);
            assertThat(same(view.current(), LiveState.parse(iptables.saveWithComments()))).isTrue();
        }
    }

    private void randomChanges() throws Exception {
        long seed = Long.getLong("property.seed", System.nanoTime());
        Random random = new Random(seed);
        int version = 0;
        DesiredState desired = desired(random, version);
        reconciler.apply(desired, view);
        long fullReadsAtStart = view.fullReads();
        int foreignChains = 0;
        for (int step = 0; step < STEPS; step++) {
            String what;
            switch (random.nextInt(6)) {
                case 0 -> {
                    desired = desired(random, ++version);
                    what = "a new version of the file";
                }
                case 1 -> {
                    int chain = random.nextInt(CHAINS);
                    what = "hand: " + run("-D", "R" + chain, "1");
                }
                case 2 -> what = "hand: " + run("-I", "R" + random.nextInt(CHAINS), "1", "-s", address(random),
                        "-j", "DROP");
                case 3 -> what = "hand: " + run("-P", "INPUT", random.nextBoolean() ? "DROP" : "ACCEPT");
                case 4 -> {
                    String chain = "FOREIGN" + foreignChains++;
                    what = "foreign: " + run("-N", chain) + "; " + run("-A", chain, "-s", address(random), "-j",
                            "ACCEPT") + "; " + run("-I", "FORWARD", "1", "-j", chain);
                }
                default -> {
                    String chain = "FOREIGN" + random.nextInt(Math.max(1, foreignChains));
                    what = "foreign: " + switch (random.nextInt(3)) {
                        case 0 -> run("-E", chain, chain + "X");
                        case 1 -> run("-F", chain);
                        default -> run("-A", chain, "-p", "udp", "--dport", String.valueOf(1 + random.nextInt(999)),
                                "-j", "RETURN");
                    };
                }
            }
            String context = "seed " + seed + ", step " + step + " (" + what + ")";
            quiet(context);
            if (random.nextBoolean()) {
                // As the agent does once the change's events are in: plan on the view, write, check.
                Reconciler.Applied applied = reconciler.apply(desired, view);
                assertThat(reconciler.plan(desired).isEmpty()).as(context + ": the kernel holds the desired state after "
                        + applied.plan().ruleChanges() + " changes").isTrue();
                quiet(context + ", after the apply");
            }
        }
        reconciler.apply(desired, view);
        assertThat(reconciler.plan(desired).isEmpty()).isTrue();
        System.out.println("kernel view, seed " + seed + ": " + (view.fullReads() - fullReadsAtStart)
                + " full reads and " + view.chainsListed() + " chains listed in " + STEPS + " steps");
    }

    /** Waits for the quiet after a change: the view, brought up to date by the events, holds what iptables-save holds. */
    private void quiet(String context) {
        Eventually.await("the view to hold what iptables-save holds, " + context, PATIENCE,
                () -> same(view.current(), LiveState.parse(iptables.saveWithComments())));
    }

    /** A file: INPUT with a policy, a head-shared FORWARD, and CHAINS chains of their own with a few rules. */
    private static DesiredState desired(Random random, int version) throws Exception {
        StringBuilder text = new StringBuilder("*filter\n:INPUT " + (random.nextBoolean() ? "ACCEPT" : "DROP")
                + " [0:0]\n# rampart: shared FORWARD head\n:FORWARD ACCEPT [0:0]\n");
        for (int chain = 0; chain < CHAINS; chain++) {
            text.append(":R").append(chain).append(" - [0:0]\n");
        }
        text.append("-A INPUT -i lo -j ACCEPT\n-A FORWARD -m comment --comment v").append(version).append(" -j R0\n");
        for (int chain = 0; chain < CHAINS; chain++) {
            int rules = 1 + random.nextInt(4);
            for (int rule = 0; rule < rules; rule++) {
                text.append("-A R").append(chain).append(" -s ").append(address(random)).append(" -p tcp --dport ")
                        .append(1 + random.nextInt(9999)).append(" -j ACCEPT\n");
            }
        }
        text.append("COMMIT\n");
        return DesiredState.of(new RulesetParser(StandardExtensions.registry(), Family.IPV4, NameDatabase.system())
                .parseWithLines(text.toString()), StandardExtensions.registry(), "view-test.rules");
    }

    private static String address(Random random) {
        return "10." + random.nextInt(256) + "." + random.nextInt(256) + ".0/24";
    }

    /** Runs one iptables command in the filter table, as another program would; a refusal is part of the game. */
    private static String run(String... args) {
        ProcessResult result = iptables.run(Table.FILTER, List.of(args));
        return "iptables " + String.join(" ", args) + (result.ok() ? "" : " (refused)");
    }

    /** Whether two states hold the same chains, policies and rules in every table. */
    private static boolean same(LiveState a, LiveState b) {
        return contents(a).equals(contents(b));
    }

    private static Map<String, Object> contents(LiveState state) {
        Map<String, Object> contents = new TreeMap<>();
        for (LiveState.LiveTable table : state.tables()) {
            Map<String, List<Object>> chains = new TreeMap<>();
            table.chains().forEach((name, chain) -> {
                List<Object> held = new ArrayList<>();
                held.add(String.valueOf(chain.policy()));
                held.addAll(table.rulesOf(name));
                chains.put(name, held);
            });
            contents.put(table.table().label(), chains);
        }
        return contents;
    }
}
