package io.rampart.config.check;

import io.rampart.config.SourceRef;
import io.rampart.model.Table;

/** Where each rule and chain declaration of a checked ruleset was written. */
public interface RuleSources {

    /** The source of rule {@code index} (in {@code TableRules.rules()} order) of {@code table}. */
    SourceRef rule(Table table, int index);

    /** The source of the declaration of {@code chain}, or of its first rule when it is not declared. */
    SourceRef chain(Table table, String chain);
}
