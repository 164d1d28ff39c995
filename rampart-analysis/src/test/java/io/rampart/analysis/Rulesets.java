package io.rampart.analysis;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import io.rampart.syntax.SourcedRuleset;

/** Rulesets for the tests: save text parsed, each rule located at its line of {@code name}. */
final class Rulesets {

    private Rulesets() {
    }

    static RulesetDiff.Side side(String name, String text, Family family) {
        try {
            SourcedRuleset parsed = new RulesetParser(StandardExtensions.registry(), family,
                    NameDatabase.system()).parseWithLines(text);
            return new RulesetDiff.Side(name, parsed.ruleset(), (table, index) -> name + ":" + parsed.lineOf(table, index));
        } catch (RulesetSyntaxException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    /** A filter table with the given policies of INPUT, FORWARD, OUTPUT, user chains and rules. */
    static String filter(String input, String forward, String output, String... lines) {
        StringBuilder b = new StringBuilder("*filter\n:INPUT " + input + " [0:0]\n:FORWARD " + forward
                + " [0:0]\n:OUTPUT " + output + " [0:0]\n");
        for (String line : lines) {
            b.append(line).append('\n');
        }
        return b.append("COMMIT\n").toString();
    }
}
