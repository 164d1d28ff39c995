package io.rampart.api;

import io.rampart.analysis.DeadRules;
import io.rampart.config.Diagnostic;
import io.rampart.config.FamilyRuleset;
import io.rampart.config.RulesetSource;
import io.rampart.config.SourceRef;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code check}'s warnings about rules that never matter, from rampart-analysis, for the command line
 * and HTTP alike; a class of its own so that the decision-diagram library is loaded only when a check
 * asks for them.
 */
public final class DeadRuleWarnings {

    private DeadRuleWarnings() {
    }

    /** The source's findings with a warning for each rule that never matters, unless one is there already. */
    public static List<Diagnostic> with(RulesetSource source) {
        List<Diagnostic> all = new ArrayList<>(source.diagnostics());
        for (FamilyRuleset ruleset : source.families().values()) {
            for (DeadRules.Finding finding : DeadRules.find(ruleset.ruleset(), ruleset::location)) {
                SourceRef where = ruleset.rule(finding.table(), finding.rule());
                boolean warned = all.stream().anyMatch(d -> d.where().file().equals(where.file())
                        && d.where().line() == where.line());
                if (!warned) {
                    all.add(Diagnostic.warning(where, finding.message()));
                }
            }
        }
        return all;
    }
}
