package io.rampart.config.check;

import io.rampart.config.Diagnostic;
import io.rampart.model.Ruleset;
import io.rampart.model.extension.ExtensionRegistry;
import java.util.List;

/** Checks a parsed ruleset as a whole, before the kernel sees it. */
public final class RulesetChecker {

    private final ExtensionRegistry registry;

    public RulesetChecker(ExtensionRegistry registry) {
        this.registry = registry;
    }

    /** Every finding, errors and warnings, in source order. */
    public List<Diagnostic> check(Ruleset ruleset, RuleSources sources) {
        return List.of();
    }
}
