package io.rampart.trace;

/**
 * What a matching rule does: changes the flow (marks, NAT, TTL ...) and then gives a verdict.
 *
 * @param chain the chain jumped or gone to, for JUMP and GOTO
 */
record Action(Kind kind, String chain, Effect effect) {

    /** The verdicts of the kernel's trace. */
    enum Kind { CONTINUE, ACCEPT, DROP, RETURN, JUMP, GOTO, QUEUE }

    /** A change the target makes to the packet or its connection. */
    @FunctionalInterface
    interface Effect {
        Effect NONE = flow -> { };

        void apply(Flow flow);
    }

    static Action of(Kind kind) {
        return new Action(kind, null, Effect.NONE);
    }

    /** The verdict as the kernel's trace names it. */
    String verdictName() {
        return switch (kind) {
            case JUMP -> "JUMP:" + chain;
            case GOTO -> "GOTO:" + chain;
            default -> kind.name();
        };
    }
}
