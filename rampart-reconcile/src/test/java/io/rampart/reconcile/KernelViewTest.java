package io.rampart.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RulesetParser;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A {@link KernelView} fed as the agent feeds it, each transaction's chains and then its end with
 * the process that made it, on the in-memory kernel: the owner's writes are taken from their
 * scripts, others' are listed, and a plan covers only the chains that may differ.
 */
class KernelViewTest {

    private static final String EMPTY_FILTER = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
            + ":OUTPUT ACCEPT [0:0]\nCOMMIT\n";
    private static final int CHAINS = 5;

    private final ModelXtables kernel = new ModelXtables();
    private final Reconciler reconciler = new Reconciler(kernel, StandardExtensions.registry());
    private KernelView view;
    /** Transactions heard but not yet told to the view, when the watcher lags behind the writes. */
    private final Deque<ModelXtables.Transaction> unheard = new ArrayDeque<>();
    private boolean lagging;

    @BeforeEach
    void watch() {
        kernel.runOthers(EMPTY_FILTER);
        kernel.namesWriters = true;
        kernel.watcher = transaction -> {
            unheard.add(transaction);
            if (!lagging) {
                hear();
            }
        };
        view = reconciler.view(Family.IPV4);
        view.attributing();
    }

    /** Tells the view every transaction heard so far, in order, as the agent's monitor does. */
    private void hear() {
        while (!unheard.isEmpty()) {
            ModelXtables.Transaction transaction = unheard.poll();
            transaction.chains().forEach(chain -> view.changed(chain.table(), chain.chain()));
            view.committed(OptionalLong.of(transaction.process()));
        }
    }

    /** CHAINS chains of their own, jumped to from INPUT, with the rules {@code rules[c]} gives each. */
    private static DesiredState desired(String policy, List<List<String>> rules) throws Exception {
        StringBuilder text = new StringBuilder("*filter\n:INPUT " + policy + " [0:0]\n");
        for (int chain = 0; chain < rules.size(); chain++) {
            text.append(":C").append(chain).append(" - [0:0]\n");
        }
        for (int chain = 0; chain < rules.size(); chain++) {
            text.append("-A INPUT -p tcp --dport ").append(1000 + chain).append(" -j C").append(chain).append('\n');
            for (String rule : rules.get(chain)) {
                text.append("-A C").append(chain).append(' ').append(rule).append('\n');
            }
        }
        text.append("COMMIT\n");
        return DesiredState.of(new RulesetParser(StandardExtensions.registry(), Family.IPV4, NameDatabase.system())
                .parseWithLines(text.toString()), StandardExtensions.registry(), "view.rules");
    }

    private static List<List<String>> rules(String... lastRules) {
        List<List<String>> rules = new java.util.ArrayList<>();
        for (int chain = 0; chain < CHAINS; chain++) {
            rules.add(List.of("-s 10.0." + chain + ".0/24 -j ACCEPT",
                    chain < lastRules.length ? lastRules[chain] : "-j DROP"));
        }
        return rules;
    }

    /** Whether a fresh apply, planned on a whole dump, would change nothing. */
    private boolean freshApplyChangesNothing(DesiredState desired) throws PlanException {
        return new Reconciler(kernel, StandardExtensions.registry()).plan(desired).isEmpty();
    }

    @Test
    void theOwnersWritesAreTakenFromTheirScriptsAndListNothing() throws Exception {
        reconciler.apply(desired("ACCEPT", rules()), view);
        int saves = kernel.saves;
        int listed = kernel.listed.size();

        DesiredState changed = desired("ACCEPT", rules("-j DROP", "-j DROP", "-j REJECT"));
        Reconciler.Applied applied = reconciler.apply(changed, view);
        assertThat(applied.written()).isTrue();
        assertThat(applied.plan().changes()).singleElement().satisfies(c -> assertThat(c.chain()).isEqualTo("C2"));
        assertThat(reconciler.apply(changed, view).written()).as("the events of its own write").isFalse();
        assertThat(kernel.saves).as("whole dumps after the first apply").isEqualTo(saves);
        assertThat(kernel.listed).as("chains listed after the first apply").hasSize(listed);
        assertThat(view.ownWritesTaken()).isEqualTo(2);
        assertThat(freshApplyChangesNothing(changed)).isTrue();
    }

    @Test
    void theOwnersTransactionHeardAfterItsWriteReturnedListsNothing() throws Exception {
        reconciler.apply(desired("ACCEPT", rules()), view);
        int listed = kernel.listed.size();
        lagging = true;
        DesiredState changed = desired("DROP", rules("-j REJECT"));
        reconciler.apply(changed, view);
        hear();
        assertThat(reconciler.apply(changed, view).written()).isFalse();
        assertThat(kernel.listed).hasSize(listed);
        assertThat(freshApplyChangesNothing(changed)).isTrue();
    }

    /**
     * The lines of the owner's write told after the write returned, its end not yet (nft still
     * printing the 110,000 lines of a first apply): the next sync waits for that end rather than
     * taking the lines for another program's, and lists nothing.
     */
    @Test
    void theOwnersLinesToldBeforeItsEndAreNotTakenForAnothers() throws Exception {
        view = new KernelView(kernel, Family.IPV4, Duration.ofMinutes(5)); // waits as long as the test needs
        view.attributing();
        lagging = true;
        DesiredState first = desired("ACCEPT", rules());
        reconciler.apply(first, view);
        ModelXtables.Transaction write = unheard.getLast();
        unheard.clear();
        write.chains().forEach(chain -> view.changed(chain.table(), chain.chain()));
        int saves = kernel.saves;
        int listed = kernel.listed.size();
        Thread syncing = Thread.currentThread();
        AtomicBoolean synced = new AtomicBoolean();
        Thread end = new Thread(() -> {
            while (syncing.getState() != Thread.State.TIMED_WAITING && !synced.get()) {
                Thread.onSpinWait();
            }
            view.committed(OptionalLong.of(write.process())); // told once the sync waits for it
        });
        end.setDaemon(true);
        end.start();
        boolean written = reconciler.apply(first, view).written();
        synced.set(true);
        end.join();
        assertThat(written).isFalse();
        assertThat(kernel.saves).as("whole dumps after the first apply").isEqualTo(saves);
        assertThat(kernel.listed).as("chains listed after the first apply").hasSize(listed);
    }

    /** A write whose end the watcher never tells: once it has been quiet a while, the lines count as others'. */
    @Test
    void theOwnersLinesWithoutTheirEndCountAsOthersOnceTheWatcherIsQuiet() throws Exception {
        view = new KernelView(kernel, Family.IPV4, Duration.ofMillis(1));
        view.attributing();
        lagging = true;
        DesiredState first = desired("ACCEPT", rules());
        reconciler.apply(first, view);
        ModelXtables.Transaction write = unheard.getLast();
        unheard.clear();
        write.chains().forEach(chain -> view.changed(chain.table(), chain.chain()));
        int listed = kernel.listed.size();
        assertThat(reconciler.apply(first, view).written()).isFalse();
        assertThat(kernel.listed).as("the write's chains, listed").hasSize(listed + write.chains().size());
    }

    @Test
    void anotherProgramsWriteBetweenTheReadAndTheWriteIsListedAndRepaired() throws Exception {
        reconciler.apply(desired("ACCEPT", rules()), view);
        DesiredState changed = desired("ACCEPT", rules("-j DROP", "-j REJECT"));
        kernel.othersBefore.add("*filter\n-I C1 1 -s 192.0.2.1/32 -j DROP\nCOMMIT\n");
        reconciler.apply(changed, view);
        Reconciler.Applied repaired = reconciler.apply(changed, view);
        assertThat(repaired.written()).isTrue();
        assertThat(kernel.listed).contains("filter C1");
        assertThat(kernel.rulesOf(Table.FILTER, "C1")).containsExactly("-A C1 -s 10.0.1.0/24 -j ACCEPT",
                "-A C1 -j REJECT --reject-with icmp-port-unreachable");
        assertThat(freshApplyChangesNothing(changed)).isTrue();
    }

    /** The invariant at work: a chain neither the file nor an event changed is not planned; after uncertain(), all are. */
    @Test
    void aPlanCoversOnlyTheChainsThatMayDiffer() throws Exception {
        reconciler.apply(desired("ACCEPT", rules()), view);
        kernel.watcher = null; // a change nobody hears
        kernel.runOthers("*filter\n-D C3 1\nCOMMIT\n");
        DesiredState changed = desired("ACCEPT", rules("-j REJECT"));
        Reconciler.Applied applied = reconciler.apply(changed, view);
        assertThat(applied.plan().changes()).extracting(Plan.ChainChange::chain).containsExactly("C0");
        assertThat(kernel.rulesOf(Table.FILTER, "C3")).containsExactly("-A C3 -j DROP");

        view.uncertain();
        assertThat(reconciler.apply(changed, view).plan().changes()).extracting(Plan.ChainChange::chain)
                .containsExactly("C3");
        assertThat(freshApplyChangesNothing(changed)).isTrue();
    }

    /**
     * Seeded random sequences of new versions of the file, hand edits of its chains and other
     * programs' chains, lagging and lost events: after each sync the kernel holds what a fresh
     * apply would leave, and the view holds what the kernel holds.
     */
    @Test
    void randomChangesLeaveTheKernelAsAFreshApplyWould() throws Exception {
        long seed = Long.getLong("property.seed", System.nanoTime());
        Random random = new Random(seed);
        List<List<String>> rules = new java.util.ArrayList<>(rules());
        String policy = "ACCEPT";
        DesiredState desired = desired(policy, rules);
        reconciler.apply(desired, view);
        int foreignChains = 0;
        for (int step = 0; step < 300; step++) {
            String context = "seed " + seed + ", step " + step;
            String chain = "C" + random.nextInt(CHAINS);
            switch (random.nextInt(7)) {
                case 0, 1 -> {
                    int changed = random.nextInt(CHAINS);
                    List<String> chainRules = new java.util.ArrayList<>(rules.get(changed));
                    String rule = "-s 10." + random.nextInt(256) + ".0.0/16 -j " + (random.nextBoolean() ? "ACCEPT" : "DROP");
                    switch (random.nextInt(3)) {
                        case 0 -> chainRules.set(random.nextInt(chainRules.size()), rule);
                        case 1 -> chainRules.add(random.nextInt(chainRules.size() + 1), rule);
                        default -> {
                            if (chainRules.size() > 1) {
                                chainRules.remove(random.nextInt(chainRules.size()));
                            }
                        }
                    }
                    rules.set(changed, chainRules);
                    if (random.nextInt(5) == 0) {
                        policy = policy.equals("ACCEPT") ? "DROP" : "ACCEPT";
                    }
                    desired = desired(policy, rules);
                }
                case 2 -> others("-D " + chain + " 1");
                case 3 -> others("-I " + chain + " 1 -s 192.0.2." + random.nextInt(256) + "/32 -j DROP");
                case 4 -> others("-P INPUT " + (random.nextBoolean() ? "DROP" : "ACCEPT"));
                case 5 -> {
                    String foreign = "F" + foreignChains++;
                    others(":" + foreign + " - [0:0]\n-A " + foreign + " -j RETURN\n-A FORWARD -j " + foreign);
                }
                default -> view.uncertain(); // events were lost
            }
            lagging = random.nextBoolean();
            reconciler.apply(desired, view);
            hear();
            lagging = false;
            reconciler.apply(desired, view); // as the agent does once the events are in
            assertThat(freshApplyChangesNothing(desired)).as(context).isTrue();
            assertThat(view.current().holdsTheSameAs(LiveState.parse(kernel.save(Family.IPV4)))).as(context).isTrue();
            List<String> jumps = new java.util.ArrayList<>();
            for (int f = 0; f < foreignChains; f++) {
                assertThat(kernel.rulesOf(Table.FILTER, "F" + f)).as(context).containsExactly("-A F" + f + " -j RETURN");
                jumps.add("-A FORWARD -j F" + f);
            }
            assertThat(kernel.rulesOf(Table.FILTER, "FORWARD")).as(context + ": another program's chain")
                    .isEqualTo(jumps);
        }
    }

    /** Another program's write, heard like any: some of its commands may be refused, as by the kernel. */
    private void others(String commands) {
        try {
            kernel.runOthers("*filter\n" + commands + "\nCOMMIT\n");
        } catch (IllegalArgumentException refused) {
            // nothing changed: the script is refused whole
        }
    }
}
