package io.rampart.model.extension;

/**
 * A field of a packet, of its path or of its connection that a match's option tests. How it is
 * tested follows from the option's value: a range holds the field, a network contains the address,
 * a value under a mask equals it, a set of words or flags names it ({@link Constraint}).
 */
public enum PacketField {
    SOURCE, DESTINATION, IN_INTERFACE, OUT_INTERFACE, PROTOCOL,
    /** Whether the packet is a second or later fragment ({@code -f}, no value). */
    FRAGMENT,
    SOURCE_PORT, DESTINATION_PORT,
    /** The source or the destination port: either may be in the value. */
    EITHER_PORT,
    /** The TCP flags: the option's first value is the flags looked at, the second those of them set. */
    TCP_FLAGS,
    ICMP_TYPE,
    /** The SPI of an AH or ESP header, the CPI of an IPComp one. */
    SPI,
    /**
     * The length of the layer-3 packet: IPv4's total length, IPv6's payload length with its 40-byte header
     * (as xt_length reads them).
     */
    LENGTH,
    /** The IPv4 TTL or the IPv6 hop limit. */
    TTL,
    TOS, DSCP,
    /** The ECN code point: the two low bits of the TOS byte or traffic class (0-3). */
    ECN,
    /** The TCP ECN-Echo (0x40) and Congestion Window Reduced (0x80) flags: set or not (no value). */
    TCP_ECE, TCP_CWR,
    /** The routing type of the source or destination address (LOCAL, UNICAST, ...), as the host routes it. */
    SOURCE_TYPE, DESTINATION_TYPE,
    /** The link-layer packet type (unicast, broadcast, multicast). */
    PACKET_TYPE,
    /** The packet's mark. */
    MARK,
    /** A bridge port the packet crossed: a packet that crossed no bridge has none (no value needed). */
    BRIDGE_PORT,
    /** The connection's state (INVALID before conntrack has seen the packet). */
    CT_STATE,
    /** The connection's mark; a packet without a connection fails the test, negated or not. */
    CT_MARK,
    /** The connection's protocol number; like every CT_ field below, only a tracked packet has one. */
    CT_PROTOCOL,
    CT_ORIGINAL_SOURCE, CT_ORIGINAL_DESTINATION, CT_REPLY_SOURCE, CT_REPLY_DESTINATION,
    CT_ORIGINAL_SOURCE_PORT, CT_ORIGINAL_DESTINATION_PORT, CT_REPLY_SOURCE_PORT, CT_REPLY_DESTINATION_PORT,
    /** The direction of the packet in its connection (ORIGINAL, REPLY). */
    CT_DIRECTION,
    /** Nothing a packet carries: the option only refines another (addrtype's --limit-iface-in). */
    NONE
}
