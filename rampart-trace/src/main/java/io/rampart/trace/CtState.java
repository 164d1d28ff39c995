package io.rampart.trace;

import java.util.Locale;
import java.util.Optional;

/** The conntrack state a packet has when the rules see it, as {@code --ctstate} names it. */
public enum CtState {
    NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED;

    /** Whether the nat table sees the packet: only a tracked connection's first packet does. */
    public boolean seesNat() {
        return this == NEW;
    }

    /**
     * Whether the packet belongs to a connection conntrack had before it (or, RELATED, to one an existing
     * connection expected), whose mark and NAT earlier packets may have set.
     */
    public boolean existingConnection() {
        return this == ESTABLISHED || this == RELATED;
    }

    public static Optional<CtState> byName(String name) {
        for (CtState state : values()) {
            if (state.name().equals(name.toUpperCase(Locale.ROOT))) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }
}
