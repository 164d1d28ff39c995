package io.rampart.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.property.SeededProperty;
import io.rampart.property.Shrinker;
import io.rampart.syntax.KernelModel;
import io.rampart.syntax.RestoreScript;
import io.rampart.syntax.RulesetParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The commands a plan writes for a chain the file owns whole: the cheapest iptables-nft forms
 * where they leave the same chain, and never a rule the chain keeps removed and added again.
 */
class PlannerFormsTest {

    private static final String FOREIGN = ":DOCKER - [0:0]\n-A FORWARD -j DOCKER\n-A DOCKER -s 172.17.0.0/16 -j ACCEPT\n";

    /** The rule of number {@code n}, as iptables-save prints it. */
    private static String rule(int n) {
        return "-A APP -s 10.0." + (n / 250) + "." + (n % 250 + 1) + "/32 -j ACCEPT";
    }

    private static String saved(List<Integer> app) {
        StringBuilder text = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
                + ":OUTPUT ACCEPT [0:0]\n:APP - [0:0]\n").append(FOREIGN);
        text.append("-A INPUT -j APP\n");
        app.forEach(n -> text.append(rule(n)).append('\n'));
        return text.append("COMMIT\n").toString();
    }

    private static String wanted(List<Integer> app) {
        StringBuilder text = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:APP - [0:0]\n-A INPUT -j APP\n");
        app.forEach(n -> text.append(rule(n)).append('\n'));
        return text.append("COMMIT\n").toString();
    }

    private static Plan plan(List<Integer> live, List<Integer> want) throws Exception {
        DesiredState desired = DesiredState.of(new RulesetParser(StandardExtensions.registry(), Family.IPV4,
                NameDatabase.builtin()).parseWithLines(wanted(want)), StandardExtensions.registry(), "host.rules");
        // A plan of the rules alone, as the agent makes for a change in a chain the file owns whole.
        return new Planner(StandardExtensions.registry()).plan(desired, LiveState.parse(saved(live)),
                new KernelView.Scope(Optional.of(Set.of(new KernelView.TableChain(Table.FILTER, "APP"))), true, -1));
    }

    /** The script's commands, without the table and commit lines. */
    private static List<String> commands(Plan plan) {
        return RestoreScript.parse(plan.script()).lines().stream().filter(RestoreScript.Command.class::isInstance)
                .map(RestoreScript.Line::text).toList();
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }

    private static List<Integer> with(List<Integer> rules, int at, Integer... added) {
        List<Integer> list = new ArrayList<>(rules);
        list.addAll(at, List.of(added));
        return list;
    }

    private static String positional(String verb, int n, int position) {
        return verb + " APP " + position + rule(n).substring("-A APP".length());
    }

    @Test
    void rulesAddedAtTheTailAreAppended() throws Exception {
        assertThat(commands(plan(range(0, 10), with(range(0, 10), 10, 100, 101))))
                .containsExactly(rule(100), rule(101));
    }

    @Test
    void rulesAddedAtTheHeadAreInsertedAtOneLastFirst() throws Exception {
        assertThat(commands(plan(range(0, 10), with(range(0, 10), 0, 100, 101, 102))))
                .containsExactly(positional("-I", 102, 1), positional("-I", 101, 1), positional("-I", 100, 1));
    }

    @Test
    void aRuleAddedInTheMiddleGoesByItsPosition() throws Exception {
        assertThat(commands(plan(range(0, 10), with(range(0, 10), 5, 100)))).containsExactly(positional("-I", 100, 6));
    }

    @Test
    void aChangedRuleIsReplacedInPlaceWhereverItIs() throws Exception {
        for (int at : new int[] {0, 5, 9}) {
            List<Integer> want = new ArrayList<>(range(0, 10));
            want.set(at, 100);
            assertThat(commands(plan(range(0, 10), want))).as("rule %d changed", at + 1)
                    .containsExactly(positional("-R", 100, at + 1));
        }
    }

    @Test
    void severalChangesInOneChainAddAtTheEndsCheaplyAndTheRestByPosition() throws Exception {
        List<Integer> want = new ArrayList<>(range(0, 10));
        want.remove(Integer.valueOf(4));
        want.set(6, 100);
        want.add(0, 101);
        want.add(102);
        assertThat(commands(plan(range(0, 10), want))).containsExactly(
                positional("-I", 101, 1), "-D APP 6", positional("-R", 100, 8), rule(102));
    }

    @Test
    void aChainThatKeepsNoneOfItsRulesIsFlushedAndFilledAnew() throws Exception {
        assertThat(commands(plan(range(0, 3), range(10, 12)))).containsExactly("-F APP", rule(10), rule(11));
        assertThat(commands(plan(range(0, 3), List.of()))).containsExactly("-F APP");
        assertThat(commands(plan(List.of(), range(10, 12)))).containsExactly(rule(10), rule(11));
    }

    @Test
    void aChainThatKeepsOneRuleIsNeverFlushed() throws Exception {
        assertThat(commands(plan(range(0, 3), List.of(1, 10, 11))))
                .containsExactly("-D APP 1", positional("-R", 10, 2), rule(11));
    }

    /** A live chain and the chain the file wants, as rule numbers; numbers repeat, so rules may too. */
    record Pair(List<Integer> live, List<Integer> want) {
        @Override
        public String toString() {
            return "live " + live + ", want " + want;
        }
    }

    private static List<Integer> numbers(Random random, int maxSize, int max) {
        return IntStream.range(0, random.nextInt(maxSize + 1)).mapToObj(i -> random.nextInt(max + 1)).toList();
    }

    /**
     * Half the pairs are drawn from a few rules, so that rules repeat; the others are a chain of
     * distinct rules and that chain with a few rules added (at the head, the tail or anywhere),
     * removed or changed, as files change.
     */
    static Pair pair(Random random) {
        if (random.nextBoolean()) {
            return new Pair(numbers(random, 14, 6), numbers(random, 14, 6));
        }
        List<Integer> live = new ArrayList<>(IntStream.range(0, 40).boxed().toList());
        java.util.Collections.shuffle(live, random);
        live = new ArrayList<>(live.subList(0, random.nextInt(16)));
        List<Integer> want = new ArrayList<>(live);
        int fresh = 100;
        for (int edits = random.nextInt(4); edits > 0; edits--) {
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
        return new Pair(live, want);
    }

    /** A rule of the simulated kernel: its text and, for a rule that was there before the script, its place then. */
    private record Entry(String text, int was) {
    }

    /**
     * Runs the script's commands on the chain with each rule's identity: which of the live rules are
     * still the same rule in the kernel afterwards (and so keep their counters).
     */
    private static List<Entry> run(List<Integer> live, String script) {
        List<Entry> chain = new ArrayList<>();
        for (int i = 0; i < live.size(); i++) {
            chain.add(new Entry(rule(live.get(i)), i));
        }
        for (RestoreScript.Line line : RestoreScript.parse(script).lines()) {
            if (line instanceof RestoreScript.Append append) {
                chain.add(new Entry(append.rule(), -1));
            } else if (line instanceof RestoreScript.Insert insert) {
                chain.add(insert.position() - 1, new Entry(insert.rule(), -1));
            } else if (line instanceof RestoreScript.Replace replace) {
                chain.set(replace.position() - 1, new Entry(replace.rule(), -1));
            } else if (line instanceof RestoreScript.DeleteAt delete) {
                chain.remove(delete.position() - 1);
            } else if (line instanceof RestoreScript.Flush) {
                chain.clear();
            } else if (line instanceof RestoreScript.Command command) {
                throw new AssertionError("unexpected command " + command.text());
            }
        }
        return chain;
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

    /** Commands iptables-nft carries out without fetching the rules of the table's chains. */
    private static boolean fetchesNoRules(String command) {
        return command.startsWith("-A ") || command.startsWith("-F ") || command.matches("-I \\S+ 1 .*");
    }

    @Test
    void theScriptLeavesTheWantedChainKeepingAsManyRulesAsCanBeKept() {
        Shrinker<List<Integer>> shorter = Shrinker.list(Shrinker.towardZero());
        SeededProperty.of("the script leaves the wanted chain, keeping a longest common subsequence", 500,
                        PlannerFormsTest::pair)
                .shrinking(pair -> Stream.concat(
                        shorter.candidates(pair.live()).map(live -> new Pair(live, pair.want())),
                        shorter.candidates(pair.want()).map(want -> new Pair(pair.live(), want))))
                .check(pair -> {
                    Plan plan;
                    try {
                        plan = plan(pair.live(), pair.want());
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                    List<String> wanted = pair.want().stream().map(PlannerFormsTest::rule).toList();
                    List<Entry> after = run(pair.live(), plan.script());
                    assertThat(after.stream().map(Entry::text).toList()).isEqualTo(wanted);
                    // What the agent's view takes the script to leave is what it leaves.
                    assertThat(LiveState.parse(KernelModel.after(saved(pair.live()), plan.script()))
                            .table(Table.FILTER).orElseThrow().rulesOf("APP")).isEqualTo(wanted);
                    List<Integer> kept = after.stream().map(Entry::was).filter(was -> was >= 0).toList();
                    assertThat(kept).as("kept rules stay in their order").isSorted();
                    assertThat(kept).as("rules kept").hasSize(common(pair.live(), pair.want()));
                    // Adding rules only at the ends needs no fetch of rules (when the wanted rules are
                    // distinct; where they repeat, the edits may keep other copies, as many of them).
                    boolean onlyAtTheEnds = pair.want().stream().distinct().count() == pair.want().size()
                            && pair.want().size() >= pair.live().size() && IntStream
                            .rangeClosed(0, pair.want().size() - pair.live().size())
                            .anyMatch(head -> pair.want().subList(head, head + pair.live().size()).equals(pair.live()));
                    if (onlyAtTheEnds) {
                        assertThat(commands(plan)).allMatch(PlannerFormsTest::fetchesNoRules);
                    }
                    if (!pair.live().isEmpty() && kept.isEmpty()) {
                        assertThat(commands(plan)).allMatch(PlannerFormsTest::fetchesNoRules);
                    }
                });
    }

    @Test
    void theReportedChangesStayThoseOfTheShortestEdits() throws Exception {
        Plan plan = plan(range(0, 10), with(range(0, 10), 10, 100));
        assertThat(plan.changes()).singleElement().satisfies(change -> assertThat(change.rules()
                .stream().map(r -> r.kind() + " " + r.position()).collect(Collectors.joining(", ")))
                .isEqualTo("ADDED 11"));
    }
}
