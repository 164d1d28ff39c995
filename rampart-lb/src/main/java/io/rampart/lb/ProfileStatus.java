package io.rampart.lb;

import java.util.List;

/**
 * A profile as the kernel holds it.
 *
 * @param state {@code applied} (the kernel holds its chain as the state file says), {@code drifted}
 *              (its chain holds other rules) or {@code not applied}
 */
public record ProfileStatus(String name, String source, String protocol, String rulesBackend, String chain,
                            String state, List<BackendStatus> destinations) {

    public ProfileStatus {
        destinations = List.copyOf(destinations);
    }

    /**
     * One destination: its weight, its expected share of connections, the probability its rule uses,
     * and the counters of that rule. A nat rule sees only the first packet of a connection, so
     * {@code packets} counts the connections sent to it (a first packet the kernel dropped before the
     * connection was recorded, and that was sent again, counts twice); both are null when the rule is
     * not in the kernel.
     */
    public record BackendStatus(String destination, int weight, double share, double probability, Long packets,
                                Long bytes) {
    }
}
