package io.rampart.trace;

/**
 * One condition of a rule, compiled from a canonical option: a test the tracer evaluates, or one
 * that depends on history or chance and can only be assumed.
 */
sealed interface Condition permits Condition.Check, Condition.Chance, Condition.Unknown {

    /** The option as the rule spells it, e.g. {@code -m tcp --dport 22}. */
    String text();

    /** A test of the packet and its connection; UNKNOWN when the flow lacks what it needs. */
    record Check(String text, String extension, Test test) implements Condition {
    }

    /**
     * A match decided by history or chance (limit, statistic, ...): the tracer assumes it, and
     * says so.
     */
    record Chance(String text, String extension, String why, double probability) implements Condition {

        /** Whether this is a {@code statistic --mode random} split, whose both branches the tracer shows. */
        boolean random() {
            return !Double.isNaN(probability);
        }
    }

    /**
     * A match the tracer cannot evaluate (its state or its packet fields are not modelled): the
     * walk stops at its rule and the trace is undecided, unless {@code --assume} chooses.
     */
    record Unknown(String text, String extension, String why) implements Condition {
    }

    @FunctionalInterface
    interface Test {
        MatchResult test(Flow flow);
    }
}
