package io.rampart.analysis;

import io.rampart.model.Failure;

/** A ruleset uses what the analysis cannot judge exactly, so it refuses rather than answer wrongly. */
public final class UnsupportedRulesetException extends Failure {
    private static final long serialVersionUID = 1L;

    public UnsupportedRulesetException(String message) {
        super(Category.INPUT, message);
    }
}
