package io.rampart.trace;

/** What one condition of a rule says about a packet. */
enum Outcome {
    MATCH, NO_MATCH, UNKNOWN;

    static Outcome of(boolean matched) {
        return matched ? MATCH : NO_MATCH;
    }

    Outcome negatedIf(boolean negated) {
        if (!negated || this == UNKNOWN) {
            return this;
        }
        return this == MATCH ? NO_MATCH : MATCH;
    }
}
