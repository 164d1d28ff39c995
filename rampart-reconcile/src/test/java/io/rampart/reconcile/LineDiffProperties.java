package io.rampart.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.property.SeededProperty;
import io.rampart.property.Shrinker;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** LineDiff over random chains (few distinct rules, so lines repeat); failures shrink to short lists. */
class LineDiffProperties {

    private static final Shrinker<List<Integer>> SHORTER = Shrinker.list(Shrinker.towardZero());

    /** Two chains' rules, as numbers: rule {@code n} is the line {@code "rule n"}. */
    private record Chains(List<Integer> from, List<Integer> to) {
    }

    /** Up to {@code maxSize} numbers from 0 to {@code max}. */
    private static List<Integer> numbers(Random random, int minSize, int maxSize, int max) {
        List<Integer> list = new ArrayList<>();
        for (int n = minSize + random.nextInt(maxSize - minSize + 1); n > 0; n--) {
            list.add(random.nextInt(max + 1));
        }
        return list;
    }

    private static List<String> lines(List<Integer> rules) {
        return rules.stream().map(i -> "rule " + i).toList();
    }

    /** Runs the edits the way iptables-restore does, by position on the chain as it is at that moment. */
    private static List<String> run(List<String> from, List<String> to, List<LineDiff.Edit> edits) {
        List<String> chain = new ArrayList<>(from);
        for (LineDiff.Edit edit : edits) {
            switch (edit.kind()) {
                case DELETE -> chain.remove(edit.position() - 1);
                case INSERT -> chain.add(edit.position() - 1, to.get(edit.toIndex()));
                case REPLACE -> chain.set(edit.position() - 1, to.get(edit.toIndex()));
            }
        }
        return chain;
    }

    /** The length of the longest common subsequence, by the textbook table. */
    private static int common(List<String> a, List<String> b) {
        int[][] t = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                t[i][j] = a.get(i).equals(b.get(j)) ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
            }
        }
        return t[0][0];
    }

    @Test
    void editsTurnOneListIntoTheOtherKeepingALongestCommonSubsequence() {
        SeededProperty.of("edits turn one list into the other, shortest", 500,
                        random -> new Chains(numbers(random, 0, 40, 6), numbers(random, 0, 40, 6)))
                .shrinking(chains -> Stream.concat(
                        SHORTER.candidates(chains.from()).map(from -> new Chains(from, chains.to())),
                        SHORTER.candidates(chains.to()).map(to -> new Chains(chains.from(), to))))
                .check(chains -> {
                    List<String> from = lines(chains.from());
                    List<String> to = lines(chains.to());
                    List<LineDiff.Edit> edits = LineDiff.edits(from, to);
                    assertThat(run(from, to, edits)).isEqualTo(to);
                    // A replacement is one deletion and one insertion.
                    long changes = edits.stream().mapToLong(e -> e.kind() == LineDiff.Edit.Kind.REPLACE ? 2 : 1).sum();
                    assertThat(changes).isEqualTo(from.size() + to.size() - 2L * common(from, to));
                });
    }

    @Test
    void chainsTooFarApartAreRewrittenWholeAndStillCorrectly() {
        SeededProperty.of("far apart chains", 5, random -> new Chains(numbers(random, 0, 3_000, 3),
                        numbers(random, 2_500, 6_000, 1_000_000)))
                .check(chains -> {
                    List<String> from = lines(chains.from());
                    List<String> to = lines(chains.to());
                    assertThat(run(from, to, LineDiff.edits(from, to))).isEqualTo(to);
                });
    }

    @Test
    void equalListsNeedNoEdits() {
        SeededProperty.of("equal lists need no edits", 200, random -> numbers(random, 0, 30, 6))
                .shrinking(SHORTER)
                .check(rules -> assertThat(LineDiff.edits(lines(rules), lines(rules))).isEmpty());
    }

    /** A chain of distinct rules and the position of the one rule that changes. */
    private record OneChange(List<Integer> rules, int where) {
    }

    @Test
    void oneChangedRuleIsOneEdit() {
        SeededProperty.of("one changed rule is one edit", 200,
                        random -> new OneChange(numbers(random, 1, 40, 1000), random.nextInt(40)))
                .shrinking(change -> SHORTER.candidates(change.rules()).filter(rules -> !rules.isEmpty())
                        .map(rules -> new OneChange(rules, change.where())))
                .check(change -> {
                    List<String> from = new ArrayList<>();
                    for (int i = 0; i < change.rules().size(); i++) {
                        from.add("rule " + i + " " + change.rules().get(i));
                    }
                    List<String> to = new ArrayList<>(from);
                    to.set(change.where() % from.size(), "changed");
                    assertThat(LineDiff.edits(from, to)).hasSize(1);
                });
    }
}
