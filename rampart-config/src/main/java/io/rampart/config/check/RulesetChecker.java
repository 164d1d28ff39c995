package io.rampart.config.check;

import io.rampart.config.Diagnostic;
import io.rampart.model.Ruleset;
import io.rampart.model.TableRules;
import io.rampart.model.extension.ExtensionRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a parsed ruleset as a whole, before the kernel sees it: what no single rule shows. Chains
 * declared and jumped to, loops and nesting depth, matches and targets against the hooks that
 * reach their user chain, text the kernel would cut, and rules that can never matter.
 */
public final class RulesetChecker {

    private final ExtensionRegistry registry;

    public RulesetChecker(ExtensionRegistry registry) {
        this.registry = registry;
    }

    /** Every finding, errors and warnings, in source order. */
    public List<Diagnostic> check(Ruleset ruleset, RuleSources sources) {
        List<Diagnostic> findings = new ArrayList<>();
        for (TableRules section : ruleset.tables()) {
            findings.addAll(new TableCheck(registry, ruleset.family(), section, sources).run());
        }
        return List.copyOf(findings);
    }
}
