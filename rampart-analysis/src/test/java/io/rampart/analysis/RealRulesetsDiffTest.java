package io.rampart.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extension.NameDatabase;
import io.rampart.syntax.Corpus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The published rulesets of the corpus: each decides every packet as the kernel's canonical dump
 * of it does, and without one of its filter rules it differs, unless check finds that rule dead.
 */
class RealRulesetsDiffTest {

    /** Removals tried per ruleset, spread over its rules, to bound the test's time. */
    private static final int REMOVALS = 25;

    /** Removals tried per ruleset that is judged through all its tables, each comparison costing more. */
    private static final int REMOVALS_ACROSS_TABLES = 4;

    @Test
    void eachRulesetIsEquivalentToItsCanonicalFormAndDiffersWithoutALiveRule() {
        int judged = 0;
        int removals = 0;
        int unchanged = 0;
        List<String> refused = new ArrayList<>();
        for (Corpus.Entry entry : Corpus.entries()) {
            Family family = family(entry);
            RulesetDiff.Side original = Rulesets.side(entry + ".original", entry.originalText(), family);
            RulesetDiff.Side canonical = Rulesets.side(entry + ".canonical", entry.canonicalText(), family);
            RulesetDiff.Result same;
            try {
                same = RulesetDiff.compare(original, canonical, 5, NameDatabase.system());
            } catch (UnsupportedRulesetException e) {
                refused.add(entry + " (" + e.getMessage() + ")");
                continue;
            }
            assertThat(same.equivalent()).as(entry + ": " + same.differences()).isTrue();
            judged++;
            Set<Integer> dead = new HashSet<>();
            DeadRules.find(canonical.ruleset(), canonical.locations()).stream()
                    .filter(f -> f.table() == Table.FILTER).forEach(f -> dead.add(f.rule()));
            List<String> lines = entry.canonicalText().lines().toList();
            List<Integer> ruleLines = filterRuleLines(lines);
            int budget = Pipeline.needed(canonical.ruleset()) ? REMOVALS_ACROSS_TABLES : REMOVALS;
            int step = Math.max(1, ruleLines.size() / budget);
            for (int k = 0; k < ruleLines.size(); k += step) {
                List<String> without = new ArrayList<>(lines);
                without.remove((int) ruleLines.get(k));
                RulesetDiff.Result result = RulesetDiff.compare(canonical,
                        Rulesets.side(entry + ".without", String.join("\n", without) + "\n", family), 1,
                                NameDatabase.system());
                removals++;
                if (dead.contains(k)) {
                    assertThat(result.equivalent()).as(entry + " without its dead filter rule " + (k + 1)
                            + ": " + result.differences()).isTrue();
                } else if (result.equivalent()) {
                    unchanged++;
                }
                result.differences().forEach(d -> assertThat(d.traced() || !d.onlyIf().isEmpty()).isTrue());
            }
        }
        System.out.println("real rulesets: " + judged + " judged, " + removals + " rules removed one at a time ("
                + unchanged + " removals changed nothing though check did not call the rule dead); not judged: "
                + refused);
        assertThat(judged).isGreaterThanOrEqualTo(5);
    }

    /** The family whose addresses the ruleset spells: IPv4 unless only IPv6 reads it. */
    private static Family family(Corpus.Entry entry) {
        try {
            Rulesets.side(entry.name(), entry.canonicalText(), Family.IPV4);
            return Family.IPV4;
        } catch (IllegalArgumentException e) {
            return Family.IPV6;
        }
    }

    /** The line numbers (from 0) of the filter table's rules. */
    private static List<Integer> filterRuleLines(List<String> lines) {
        List<Integer> out = new ArrayList<>();
        boolean filter = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("*")) {
                filter = line.equals("*filter");
            } else if (filter && line.startsWith("-A ")) {
                out.add(i);
            }
        }
        return out;
    }
}
