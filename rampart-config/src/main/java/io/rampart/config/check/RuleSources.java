package io.rampart.config.check;

import io.rampart.config.SourceRef;
import io.rampart.model.Table;
import io.rampart.syntax.RuleLayout;
import java.util.Optional;

/** Where each rule and chain declaration of a checked ruleset was written. */
public interface RuleSources {

    /** The source of rule {@code index} (in {@code TableRules.rules()} order) of {@code table}. */
    SourceRef rule(Table table, int index);

    /** The source of the declaration of {@code chain}, or of its first rule when it is not declared. */
    SourceRef chain(Table table, String chain);

    /**
     * The source of declaration {@code index} (in {@code TableRules.chains()} order) of {@code table}:
     * tells two declarations of one name apart. By default, where the chain's name is declared.
     */
    default SourceRef declaration(Table table, int index, String chain) {
        return chain(table, chain);
    }

    /**
     * How rule {@code index} of {@code table} was written, as the rule parser read its line (after
     * the front end's expansions): it lets a finding point at the offending word and see what was
     * written before canonical form. Empty when not known; findings then point at the rule, and
     * checks that need the written text are skipped.
     */
    default Optional<RuleLayout> layout(Table table, int index) {
        return Optional.empty();
    }

    /** Where column {@code column} of the line of rule {@code index} (a column of its layout) was written. */
    default SourceRef column(Table table, int index, int column) {
        return rule(table, index);
    }
}
