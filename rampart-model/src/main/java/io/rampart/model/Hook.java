package io.rampart.model;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** The netfilter hooks, in the order a forwarded packet meets them. */
public enum Hook {
    PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING;

    /** Where a packet has come in by an interface: the input interface, and decapsulation, are known. */
    public static final Set<Hook> RECEIVING = Collections.unmodifiableSet(EnumSet.of(PREROUTING, INPUT, FORWARD));

    /** Where a packet is routed out: the output interface, and encapsulation, are known. */
    public static final Set<Hook> SENDING = Collections.unmodifiableSet(EnumSet.of(FORWARD, OUTPUT, POSTROUTING));
}
