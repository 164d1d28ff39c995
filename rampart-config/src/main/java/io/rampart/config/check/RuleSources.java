package io.rampart.config.check;

import io.rampart.config.SourceRef;
import io.rampart.model.Table;
import java.util.List;

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
     * The words of rule {@code index} of {@code table} as the rule parser read them (after the
     * front end's expansions, quotes removed), each with where it was written: they let a finding
     * point at the offending word and see what was written before canonical form. Empty when not
     * known; findings then point at the rule, and checks that need the written text are skipped.
     */
    default List<SourceWord> words(Table table, int index) {
        return List.of();
    }
}
