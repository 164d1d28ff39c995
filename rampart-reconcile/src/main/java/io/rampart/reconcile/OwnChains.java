package io.rampart.reconcile;

/**
 * The chains Rampart keeps for itself in the kernel: its bookkeeping chain and the chains of staged
 * rulesets. Front ends show them apart from a user's chains and never count them as the user's.
 */
public final class OwnChains {

    /** The chain holding Rampart's records of what it manages, in every table it manages chains of. */
    public static final String BOOKKEEPING = Bookkeeping.CHAIN;

    private OwnChains() {
    }

    /** Whether {@code chain} is Rampart's own rather than one a ruleset file declared. */
    public static boolean isOwn(String chain) {
        return chain.equals(Bookkeeping.CHAIN) || chain.startsWith(StageNames.PREFIX);
    }
}
