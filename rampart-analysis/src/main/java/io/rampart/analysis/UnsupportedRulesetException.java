package io.rampart.analysis;

/** A ruleset uses what the analysis cannot judge exactly, so it refuses rather than answer wrongly. */
public final class UnsupportedRulesetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnsupportedRulesetException(String message) {
        super(message);
    }
}
