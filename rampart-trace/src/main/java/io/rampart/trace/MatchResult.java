package io.rampart.trace;

/** What one condition of a rule says about a packet. */
enum MatchResult {
    MATCH, NO_MATCH, UNKNOWN;

    static MatchResult of(boolean matched) {
        return matched ? MATCH : NO_MATCH;
    }

    MatchResult negatedIf(boolean negated) {
        if (!negated || this == UNKNOWN) {
            return this;
        }
        return this == MATCH ? NO_MATCH : MATCH;
    }
}
