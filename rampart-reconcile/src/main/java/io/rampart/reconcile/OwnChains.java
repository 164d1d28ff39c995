package io.rampart.reconcile;

/**
 * The chains Rampart keeps for itself in the kernel: its bookkeeping chain and the chains of staged
 * rulesets. Front ends show them apart from a user's chains and never count them as the user's.
 */
public final class OwnChains {

    private OwnChains() {
    }

    /** Whether {@code chain} is Rampart's own rather than one a ruleset file declared. */
    public static boolean isOwn(String chain) {
        return chain.equals(Bookkeeping.CHAIN) || chain.startsWith(StageNames.PREFIX);
    }
}
