package io.rampart.trace;

import io.rampart.model.Family;
import java.util.Set;

/**
 * The state conntrack gives a packet of no known connection, as the kernel decides it (TCP with
 * loose pick-up, the default).
 */
final class Conntrack {

    private static final int FIN = 1;
    private static final int SYN = 2;
    private static final int RST = 4;
    private static final int PSH = 8;
    private static final int ACK = 16;
    private static final int URG = 32;

    /** The flag combinations nf_conntrack_proto_tcp accepts at all (it sets PSH, ECE and CWR aside). */
    private static final Set<Integer> VALID_TCP = Set.of(SYN, SYN | URG, SYN | ACK, RST, RST | ACK, FIN | ACK,
            FIN | ACK | URG, ACK, ACK | URG);

    /** ICMP types that open a connection: echo, timestamp, information and address mask requests. */
    private static final Set<Integer> ICMP_NEW = Set.of(8, 13, 15, 17);

    /** ICMPv6 echo request and node information query. */
    private static final Set<Integer> ICMPV6_NEW = Set.of(128, 139);

    /** ICMPv6 multicast listener and neighbour discovery messages, which conntrack leaves untracked. */
    private static final Set<Integer> ICMPV6_UNTRACKED = Set.of(130, 131, 132, 133, 134, 135, 136, 143);

    private Conntrack() {
    }

    static CtState firstPacket(Packet p) {
        if (p.proto() == Packet.TCP) {
            return tcp(p.tcpFlags() & ~(PSH | Packet.ECE | Packet.CWR));
        }
        if (p.proto() == Packet.ICMP && p.family() == Family.IPV4) {
            return ICMP_NEW.contains(p.icmpType()) ? CtState.NEW : CtState.INVALID;
        }
        if (p.proto() == Packet.ICMPV6 && p.family() == Family.IPV6) {
            if (ICMPV6_UNTRACKED.contains(p.icmpType())) {
                return CtState.UNTRACKED;
            }
            return ICMPV6_NEW.contains(p.icmpType()) ? CtState.NEW : CtState.INVALID;
        }
        return CtState.NEW;
    }

    /** SYN or a bare ACK opens a connection; SYN+ACK, FIN and RST without one are invalid. */
    private static CtState tcp(int flags) {
        if (!VALID_TCP.contains(flags)) {
            return CtState.INVALID;
        }
        if ((flags & RST) != 0 || (flags & FIN) != 0 || flags == (SYN | ACK)) {
            return CtState.INVALID;
        }
        return CtState.NEW;
    }

    /** {@link Packet#ctNat()} as {@code ct_nat} names it: SNAT, DNAT or SNAT,DNAT. */
    public static String natNames(int ctNat) {
        return (ctNat & Packet.CT_SNAT) != 0 && (ctNat & Packet.CT_DNAT) != 0 ? "SNAT,DNAT"
                : (ctNat & Packet.CT_SNAT) != 0 ? "SNAT" : "DNAT";
    }
}
