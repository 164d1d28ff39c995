package io.rampart.api;

import io.rampart.analysis.AnalysisBoundException;
import io.rampart.analysis.DeadRules;
import io.rampart.config.Diagnostic;
import io.rampart.config.FamilyRuleset;
import io.rampart.config.RulesetSource;
import io.rampart.config.SourceRef;
import io.rampart.model.TableRules;
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

    /** What {@code check} says of a ruleset whose analysis outgrew its bound. */
    static final String NOT_COMPLETED = "dead-rule analysis not completed: the ruleset exceeds its size bound"
            + " (use --no-dead-rules to skip it)";

    /**
     * The source's findings with a warning for each rule that never matters, unless one is there already;
     * for a family whose analysis outgrew its bound, one warning that it was not completed, on its file.
     */
    public static List<Diagnostic> with(RulesetSource source) {
        List<Diagnostic> all = new ArrayList<>(source.diagnostics());
        for (FamilyRuleset ruleset : source.families().values()) {
            List<DeadRules.Finding> findings;
            try {
                findings = DeadRules.find(ruleset.ruleset(), ruleset::location);
            } catch (AnalysisBoundException e) {
                all.add(Diagnostic.warning(fileOf(ruleset), NOT_COMPLETED));
                continue;
            }
            for (DeadRules.Finding finding : findings) {
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

    /** The file of the family's first rule, as a place with no line: the warning is about the whole ruleset. */
    private static SourceRef fileOf(FamilyRuleset ruleset) {
        for (TableRules rules : ruleset.ruleset().tables()) {
            if (!rules.rules().isEmpty()) {
                return new SourceRef(ruleset.rule(rules.table(), 0).file(), 0, 0);
            }
        }
        return new SourceRef("", 0, 0);
    }
}
