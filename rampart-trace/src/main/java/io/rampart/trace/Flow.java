package io.rampart.trace;

import io.rampart.model.Hook;

/**
 * The packet on its way through the hooks, with what conntrack keeps for its connection: the
 * state, the connection mark, the original tuple and whether NAT changed it.
 */
final class Flow {

    Packet packet;
    final Packet original;
    final Host host;
    Hook hook;
    CtState state;
    long ctmark;
    boolean snat;
    boolean dnat;
    /** Whether the packet already carries a conntrack entry (a looped-back packet does): NOTRACK is then a no-op. */
    boolean ctAttached;
    /** Random statistic splits decided for this run ({@code table chain rule} to whether it matches). */
    java.util.Map<String, Boolean> splits = java.util.Map.of();
    /** Random statistic splits met and not decided, in the order met: key, probability of a match, rule text. */
    final java.util.List<Object[]> undecided = new java.util.ArrayList<>();
    /** The rule the walk stopped at because it could not evaluate one of its matches; null while it goes on. */
    Trace.Undecided stoppedAt;

    Flow(Packet packet, Host host) {
        this.packet = packet;
        this.original = packet;
        this.host = host;
    }

    /** Whether the packet has a connection (an untracked or invalid one has none). */
    boolean tracked() {
        return state != null && state != CtState.INVALID && state != CtState.UNTRACKED;
    }
}
