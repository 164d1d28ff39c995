package io.rampart.trace;

/**
 * What a matching rule does: changes the flow (marks, NAT, TTL ...) and then gives a verdict.
 *
 * @param chain      the chain jumped or gone to, for JUMP and GOTO
 * @param decision   for a target whose effect or verdict depends on the packet: works out the action
 *                   when the rule matches; null when the action is fixed
 * @param unresolved for UNDECIDED: the target and why the tracer cannot tell what it does
 */
record Action(Kind kind, String chain, Effect effect, Decision decision, Unresolved unresolved) {

    /** The verdicts of the kernel's trace, and UNDECIDED where the tracer cannot tell. */
    enum Kind { CONTINUE, ACCEPT, DROP, RETURN, JUMP, GOTO, UNDECIDED }

    /** A change the target makes to the packet or its connection. */
    @FunctionalInterface
    interface Effect {
        Effect NONE = flow -> { };

        void apply(Flow flow);
    }

    /** The action of a target that looks at the packet first (SYNPROXY, HMARK, SNPT, ...). */
    @FunctionalInterface
    interface Decision {
        Action decide(Flow flow);
    }

    /** A target the tracer cannot follow for this packet, e.g. {@code -j HMARK}, and why. */
    record Unresolved(String target, String why) {
    }

    Action(Kind kind, String chain, Effect effect) {
        this(kind, chain, effect, null, null);
    }

    static Action of(Kind kind) {
        return new Action(kind, null, Effect.NONE);
    }

    static Action depending(Decision decision) {
        return new Action(Kind.CONTINUE, null, Effect.NONE, decision, null);
    }

    static Action undecided(String target, String why) {
        return new Action(Kind.UNDECIDED, null, Effect.NONE, null, new Unresolved(target, why));
    }

    /** The action for this flow: the decision's when there is one. */
    Action forFlow(Flow flow) {
        return decision == null ? this : decision.decide(flow);
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
