package io.rampart.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.property.SeededProperty;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.Reconciler;
import io.rampart.syntax.RestoreScript;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.SavedState;
import io.rampart.syntax.SavedState.Counters;
import io.rampart.syntax.SavedState.SavedTable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The planner's commands on a real kernel: a chain the file owns whole goes from the rules it
 * holds to the file's, beside another program's chains in the same table, and every rule it keeps
 * keeps its counters (each rule is given counters of its own before the apply).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PlannerFormsKernelTest {

    private Netns netns;
    private Iptables iptables;

    @BeforeEach
    void start() {
        KernelTestSupport.requireKernel();
        netns = Netns.throwaway("forms", ProcessRunner.system());
        iptables = new Iptables(netns, Family.IPV4);
        // Another program's rules in the same table: a chain of its own and a jump from FORWARD.
        ProcessResult foreign = netns.run(List.of("sh", "-c", "iptables -N DOCKER"
                + " && iptables -A DOCKER -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j ACCEPT"
                + " && iptables -A DOCKER -j RETURN && iptables -A FORWARD -j DOCKER"), "");
        assertThat(foreign.ok()).as(foreign.stderr()).isTrue();
    }

    @AfterEach
    void stop() {
        if (netns != null) {
            netns.close();
        }
    }

    /** Rule {@code n} of chain APP, as iptables-save prints it. */
    private static String rule(int n) {
        String host = (n / 250) + "." + (n % 250 + 1) + "/32";
        return switch (n % 3) {
            case 0 -> "-A APP -s 10.0." + host + " -j ACCEPT";
            case 1 -> "-A APP -s 10.1." + host + " -p tcp -m tcp --dport " + (1000 + n) + " -j ACCEPT";
            default -> "-A APP -d 10.2." + host + " -p udp -m udp --dport 53 -j DROP";
        };
    }

    /** The file: INPUT jumps to APP, which holds {@code app}; KEPT is a chain the changes never touch. */
    private static String file(List<Integer> app) {
        StringBuilder text = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:APP - [0:0]\n:KEPT - [0:0]\n"
                + "-A INPUT -j APP\n-A INPUT -j KEPT\n-A KEPT -s 192.0.2.0/24 -j DROP\n");
        app.forEach(n -> text.append(rule(n)).append('\n'));
        return text.append("COMMIT\n").toString();
    }

    private static DesiredState desired(List<Integer> app) {
        try {
            return DesiredState.of(new RulesetParser(StandardExtensions.registry(), Family.IPV4, NameDatabase.system())
                    .parseWithLines(file(app)), StandardExtensions.registry(), "forms.rules");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private Reconciler reconciler() {
        return new Reconciler(new SystemXtables(netns), StandardExtensions.registry());
    }

    /** Gives every rule of the filter table counters of its own, rule k of the dump k packets and 64 k bytes. */
    private void markCounters() {
        List<String> marked = new ArrayList<>();
        int k = 0;
        for (String line : iptables.saveWithCounters().lines().toList()) {
            if (line.startsWith("[")) {
                k++;
                marked.add("[" + k + ":" + 64L * k + "]" + line.substring(line.indexOf(']') + 1));
            } else {
                marked.add(line);
            }
        }
        ProcessResult restored = netns.run(List.of("iptables-restore", "-w", "5", "-c"), String.join("\n", marked) + "\n");
        assertThat(restored.ok()).as(restored.stderr()).isTrue();
    }

    private SavedTable filter() {
        return SavedState.parse(iptables.saveWithCounters()).table(Table.FILTER).orElseThrow();
    }

    /** The length of the longest common subsequence, by the textbook table. */
    private static int common(List<Integer> a, List<Integer> b) {
        int[][] t = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                t[i][j] = a.get(i).equals(b.get(j)) ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
            }
        }
        return t[0][0];
    }

    /**
     * Applies {@code live}, gives every rule counters of its own, applies {@code want}, and checks
     * the kernel: APP holds {@code want}, its kept rules (as many as a longest common subsequence)
     * kept their counters and their order, the new ones count from zero, and every other chain (the
     * other program's among them) is as it was, counters and all. Returns the commands written.
     */
    private List<String> change(List<Integer> live, List<Integer> want) throws Exception {
        reconciler().apply(desired(live));
        markCounters();
        SavedTable before = filter();
        assertThat(before.rulesOf("APP")).isEqualTo(live.stream().map(PlannerFormsKernelTest::rule).toList());
        Reconciler.Applied applied = reconciler().apply(desired(want));
        SavedTable after = filter();

        assertThat(after.rulesOf("APP")).isEqualTo(want.stream().map(PlannerFormsKernelTest::rule).toList());
        List<Counters> was = before.countersOf("APP");
        List<Counters> is = after.countersOf("APP");
        List<Integer> keptFrom = new ArrayList<>();
        for (int i = 0; i < want.size(); i++) {
            if (!is.get(i).equals(Counters.ZERO)) {
                int from = was.indexOf(is.get(i));
                assertThat(from).as("rule %d counts as a rule APP held: %s", i + 1, is.get(i)).isNotNegative();
                assertThat(before.rulesOf("APP").get(from)).as("rule %d kept its own counters", i + 1)
                        .isEqualTo(after.rulesOf("APP").get(i));
                keptFrom.add(from);
            }
        }
        assertThat(keptFrom).as("kept rules, by their place before").isSorted().doesNotHaveDuplicates()
                .hasSize(common(live, want));
        for (String chain : List.of("INPUT", "FORWARD", "KEPT", "DOCKER")) {
            assertThat(after.rulesOf(chain)).as(chain).isEqualTo(before.rulesOf(chain));
            assertThat(after.countersOf(chain)).as(chain + "'s counters").isEqualTo(before.countersOf(chain));
        }
        assertThat(reconciler().plan(desired(want)).isEmpty()).isTrue();
        return RestoreScript.parse(applied.plan().script()).lines().stream()
                .filter(RestoreScript.Command.class::isInstance)
                .map(RestoreScript.Line::text)
                .filter(command -> command.contains(" APP")).toList();
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }

    private static List<Integer> edited(List<Integer> rules, java.util.function.Consumer<List<Integer>> edit) {
        List<Integer> list = new ArrayList<>(rules);
        edit.accept(list);
        return list;
    }

    @Test
    void rulesAddedAtTheHeadAreInsertedAtOne() throws Exception {
        assertThat(change(range(0, 10), edited(range(0, 10), l -> l.addAll(0, List.of(100, 101)))))
                .containsExactly("-I APP 1" + rule(101).substring(6), "-I APP 1" + rule(100).substring(6));
    }

    @Test
    void rulesAddedAtTheTailAreAppended() throws Exception {
        assertThat(change(range(0, 10), edited(range(0, 10), l -> l.addAll(List.of(100, 101)))))
                .containsExactly(rule(100), rule(101));
    }

    @Test
    void aRuleAddedInTheMiddle() throws Exception {
        assertThat(change(range(0, 10), edited(range(0, 10), l -> l.add(5, 100))))
                .containsExactly("-I APP 6" + rule(100).substring(6));
    }

    @Test
    void aRuleChangedAtTheHeadInTheMiddleAndAtTheTail() throws Exception {
        for (int at : new int[] {0, 5, 9}) {
            assertThat(change(range(0, 10), edited(range(0, 10), l -> l.set(at, 100))))
                    .containsExactly("-R APP " + (at + 1) + rule(100).substring(6));
        }
    }

    @Test
    void rulesDeletedAtTheHeadInTheMiddleAndAtTheTail() throws Exception {
        assertThat(change(range(0, 10), edited(range(0, 10), l -> {
            l.remove(9);
            l.remove(5);
            l.remove(0);
        }))).containsExactly("-D APP 1", "-D APP 5", "-D APP 8");
    }

    @Test
    void severalChangesInOneChain() throws Exception {
        change(range(0, 12), edited(range(0, 12), l -> {
            l.add(0, 100);
            l.set(4, 101);
            l.remove(8);
            l.add(7, 102);
            l.add(103);
        }));
    }

    @Test
    void aChainThatKeepsNoneOfItsRulesIsFlushedAndFilledAnew() throws Exception {
        assertThat(change(range(0, 4), range(10, 13))).containsExactly("-F APP", rule(10), rule(11), rule(12));
        assertThat(change(range(0, 4), List.of())).containsExactly("-F APP");
    }

    @Test
    void aChainWhoseRulesRepeat() throws Exception {
        change(List.of(0, 3, 0, 3, 3, 6), List.of(3, 0, 0, 6, 3, 0));
    }

    /**
     * Random pairs of a live chain and the chain the file wants: half drawn from a few rules, so that
     * rules repeat, half a chain of distinct rules with a few rules added, removed or changed.
     */
    @Test
    void randomChainPairsEndAsTheFileWantsWithTheKeptRulesCounters() {
        SeededProperty.of("a chain ends as wanted, kept rules keeping their counters", 100, random -> {
            if (random.nextBoolean()) {
                return List.of(numbers(random, 12, 5), numbers(random, 12, 5));
            }
            List<Integer> live = new ArrayList<>(range(0, 30));
            Collections.shuffle(live, random);
            live = new ArrayList<>(live.subList(0, random.nextInt(14)));
            List<Integer> want = new ArrayList<>(live);
            int fresh = 100;
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                int kind = random.nextInt(5);
                if (kind == 0) {
                    want.add(0, fresh++);
                } else if (kind == 1) {
                    want.add(fresh++);
                } else if (kind == 2) {
                    want.add(random.nextInt(want.size() + 1), fresh++);
                } else if (!want.isEmpty() && kind == 3) {
                    want.remove(random.nextInt(want.size()));
                } else if (!want.isEmpty()) {
                    want.set(random.nextInt(want.size()), fresh++);
                }
            }
            return List.of(live, want);
        }).check(pair -> {
            try {
                change(pair.get(0), pair.get(1));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    private static List<Integer> numbers(Random random, int maxSize, int max) {
        return IntStream.range(0, random.nextInt(maxSize + 1)).mapToObj(i -> random.nextInt(max + 1)).toList();
    }
}
