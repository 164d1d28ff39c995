package io.rampart.config.check;

import io.rampart.config.Diagnostic;
import io.rampart.config.SourceRef;
import io.rampart.model.Rule;
import io.rampart.model.Target;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rules that can never matter: those after a rule that ends its chain for every packet, and exact
 * duplicates of an earlier rule of the chain (equal canonical rules are the same rule for the kernel).
 */
final class Shadowing {

    private final TableCheck check;

    Shadowing(TableCheck check) {
        this.check = check;
    }

    /**
     * What is known of a chain so far: the first rule that always ends it, and the first of each
     * kind of rule (a duplicate is one of its own chain, so each chain keeps its own few).
     */
    private static final class Seen {
        Integer endedBy;
        final Map<Rule, Integer> firstOfItsKind = new HashMap<>();
    }

    void run() {
        Map<String, Seen> chains = new HashMap<>();
        List<Rule> rules = check.section.rules();
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            SourceRef here = check.sources.rule(check.table, i);
            Seen seen = chains.computeIfAbsent(rule.chain(), c -> new Seen());
            Integer ender = seen.endedBy;
            Integer same = seen.firstOfItsKind.putIfAbsent(rule, i);
            if (ender != null) {
                check.ruleFinding(i, Diagnostic.warning(here, "rule never matches: "
                        + TableCheck.lineOf(check.sources.rule(check.table, ender), here) + " always ends chain "
                        + rule.chain()));
            } else if (same != null) {
                check.ruleFinding(i, Diagnostic.warning(here, "duplicate of "
                        + TableCheck.lineOf(check.sources.rule(check.table, same), here)));
            }
            if (seen.endedBy == null && alwaysEndsChain(rule)) {
                seen.endedBy = i;
            }
        }
    }

    /** No condition at all, and a target that never continues (as its spec declares): every packet stops here. */
    private boolean alwaysEndsChain(Rule rule) {
        Target target = rule.target();
        if (target == null || !rule.header().isEmpty() || !rule.matches().isEmpty()) {
            return false;
        }
        return target.kind() == Target.Kind.GOTO || check.registry.targetSemantics(target, check.family).endsChain();
    }
}
