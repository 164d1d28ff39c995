package io.rampart.trace.capture;

import io.rampart.model.Family;
import java.util.Arrays;

/**
 * The IP packet in a captured frame, as the rules see it: Ethernet (with VLAN tags), Linux cooked
 * (v1 and v2, which also say whether the host sent the frame), raw IP and BSD loopback links;
 * IPv4 and IPv6 (extension headers skipped as ip6tables skips them). Fragments after the first are
 * left out, as conntrack reassembles them before the rules see the packet.
 */
public final class FrameDecoder {

    /** Why a frame gave no packet. */
    public enum Skip { NOT_IP, FRAGMENT, SHORT, LINK_TYPE }

    /** The addresses, protocol and ports of a packet: a connection's key, or the packet an ICMP error quotes. */
    public record Tuple(Family family, byte[] src, byte[] dst, int proto, int sport, int dport) {

        /** The tuple as the other side sends it. */
        public Tuple reversed() {
            return new Tuple(family, dst, src, proto, dport, sport);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Tuple t && family == t.family && proto == t.proto && sport == t.sport
                    && dport == t.dport && Arrays.equals(src, t.src) && Arrays.equals(dst, t.dst);
        }

        @Override
        public int hashCode() {
            return ((Arrays.hashCode(src) * 31 + Arrays.hashCode(dst)) * 31 + proto) * 31 + sport * 65537 + dport;
        }
    }

    /**
     * One decoded packet.
     *
     * @param sport    -1 for protocols without ports
     * @param icmpType -1 for packets that are not ICMP
     * @param spi      the SPI of AH and ESP, the CPI of IPComp, else -1
     * @param sent     whether the link layer says the host sent it
     * @param flow     the key conntrack files the packet under
     * @param quoted   for an ICMP error, the packet it quotes; else null
     */
    public record Decoded(Family family, byte[] src, byte[] dst, int proto, int sport, int dport, int tcpFlags,
                          int icmpType, int icmpCode, int ttl, int tos, int length, long spi, boolean sent,
                          Tuple flow, Tuple quoted) {
    }

    private Skip skipped;
    /** While the packet an ICMP error quotes is read. */
    private boolean quoting;

    /** Why the last frame that gave no packet gave none. */
    public Skip skipped() {
        return skipped;
    }

    /** The packet in the frame, or null (then {@link #skipped()} says why). */
    public Decoded decode(int linkType, byte[] f, int length) {
        int at;
        int etherType;
        boolean sent = false;
        switch (linkType) {
            case 1 -> {
                if (length < 14) {
                    return skip(Skip.SHORT);
                }
                at = 12;
                etherType = u16(f, at);
                at += 2;
                while ((etherType == 0x8100 || etherType == 0x88a8 || etherType == 0x9100) && at + 4 <= length) {
                    etherType = u16(f, at + 2);
                    at += 4;
                }
            }
            case 113 -> {
                if (length < 16) {
                    return skip(Skip.SHORT);
                }
                sent = u16(f, 0) == 4;
                etherType = u16(f, 14);
                at = 16;
            }
            case 276 -> {
                if (length < 20) {
                    return skip(Skip.SHORT);
                }
                sent = (f[10] & 0xff) == 4;
                etherType = u16(f, 0);
                at = 20;
            }
            case 101, 12, 14, 228, 229 -> {
                if (length < 1) {
                    return skip(Skip.SHORT);
                }
                at = 0;
                etherType = (f[0] & 0xf0) == 0x60 ? 0x86dd : 0x0800;
            }
            case 0, 108 -> {
                if (length < 4) {
                    return skip(Skip.SHORT);
                }
                int family = (int) u32(f, 0);
                if (linkType == 0 && family > 0xffff) {
                    // The null link writes the family in the byte order of the host that captured.
                    family = Integer.reverseBytes(family);
                }
                etherType = family == 2 ? 0x0800 : family == 24 || family == 28 || family == 30 ? 0x86dd : -1;
                at = 4;
            }
            default -> {
                return skip(Skip.LINK_TYPE);
            }
        }
        if (etherType == 0x0800) {
            return ipv4(f, at, length, sent);
        }
        if (etherType == 0x86dd) {
            return ipv6(f, at, length, sent);
        }
        return skip(Skip.NOT_IP);
    }

    private Decoded ipv4(byte[] f, int at, int end, boolean sent) {
        if (at + 20 > end || (f[at] & 0xf0) != 0x40) {
            return skip(at + 20 > end ? Skip.SHORT : Skip.NOT_IP);
        }
        int headerLength = (f[at] & 0x0f) * 4;
        if ((u16(f, at + 6) & 0x1fff) != 0) {
            return skip(Skip.FRAGMENT);
        }
        byte[] src = Arrays.copyOfRange(f, at + 12, at + 16);
        byte[] dst = Arrays.copyOfRange(f, at + 16, at + 20);
        return transport(Family.IPV4, f, at + headerLength, end, f[at + 9] & 0xff, src, dst, f[at + 8] & 0xff,
                f[at + 1] & 0xff, u16(f, at + 2), sent);
    }

    private Decoded ipv6(byte[] f, int at, int end, boolean sent) {
        if (at + 40 > end || (f[at] & 0xf0) != 0x60) {
            return skip(at + 40 > end ? Skip.SHORT : Skip.NOT_IP);
        }
        int tos = (u16(f, at) >> 4) & 0xff;
        int length = 40 + u16(f, at + 4);
        byte[] src = Arrays.copyOfRange(f, at + 8, at + 24);
        byte[] dst = Arrays.copyOfRange(f, at + 24, at + 40);
        int next = f[at + 6] & 0xff;
        int ttl = f[at + 7] & 0xff;
        int p = at + 40;
        // Hop-by-hop, routing, fragment, AH and destination options headers come before the protocol.
        while (next == 0 || next == 43 || next == 44 || next == 51 || next == 60) {
            if (p + 8 > end) {
                return skip(Skip.SHORT);
            }
            int header = next == 44 ? 8 : next == 51 ? ((f[p + 1] & 0xff) + 2) * 4 : ((f[p + 1] & 0xff) + 1) * 8;
            if (next == 44 && (u16(f, p + 2) & 0xfff8) != 0) {
                return skip(Skip.FRAGMENT);
            }
            next = f[p] & 0xff;
            p += header;
        }
        return transport(Family.IPV6, f, p, end, next, src, dst, ttl, tos, length, sent);
    }

    private Decoded transport(Family family, byte[] f, int at, int end, int proto, byte[] src, byte[] dst, int ttl,
                              int tos, int length, boolean sent) {
        int sport = -1;
        int dport = -1;
        int flags = 0;
        int icmpType = -1;
        int icmpCode = -1;
        long spi = -1;
        int flowSport = 0;
        int flowDport = 0;
        Tuple quoted = null;
        boolean icmp = proto == (family == Family.IPV4 ? 1 : 58);
        if (proto == 6 || proto == 17 || proto == 132 || proto == 33 || proto == 136) {
            // A quoted packet keeps only 8 bytes of its transport header: the ports.
            if (at + (proto == 6 && !quoting ? 14 : 4) > end) {
                return skip(Skip.SHORT);
            }
            sport = u16(f, at);
            dport = u16(f, at + 2);
            flags = proto == 6 && !quoting ? f[at + 13] & 0xff : 0;
            flowSport = sport;
            flowDport = dport;
        } else if (icmp) {
            if (at + 8 > end) {
                return skip(Skip.SHORT);
            }
            icmpType = f[at] & 0xff;
            icmpCode = f[at + 1] & 0xff;
            if (echo(family, icmpType)) {
                flowSport = u16(f, at + 4);
                flowDport = flowSport;
            } else if (error(family, icmpType)) {
                quoted = quoted(family, f, at + 8, end);
            }
        } else if (proto == 50 || proto == 51 || proto == 108) {
            if (at + (proto == 51 ? 8 : 4) > end) {
                return skip(Skip.SHORT);
            }
            spi = proto == 108 ? u16(f, at + 2) : u32(f, at + (proto == 51 ? 4 : 0));
        }
        skipped = null;
        return new Decoded(family, src, dst, proto, sport, dport, flags, icmpType, icmpCode, ttl, tos, length, spi,
                sent, new Tuple(family, src, dst, proto, flowSport, flowDport), quoted);
    }

    /** Echo request and reply (ICMPv6 too): conntrack keys them by their identifier. */
    private static boolean echo(Family family, int type) {
        return family == Family.IPV4 ? type == 8 || type == 0 : type == 128 || type == 129;
    }

    /** The error messages that quote the packet they are about, which conntrack files as RELATED to its connection. */
    private static boolean error(Family family, int type) {
        return family == Family.IPV4 ? type == 3 || type == 4 || type == 5 || type == 11 || type == 12
                : type >= 1 && type <= 4;
    }

    /** The key of the packet an ICMP error quotes, or null when too little of it is there. */
    private Tuple quoted(Family family, byte[] f, int at, int end) {
        quoting = true;
        Decoded inner = family == Family.IPV4 ? ipv4(f, at, end, false) : ipv6(f, at, end, false);
        quoting = false;
        return inner == null ? null : inner.flow();
    }

    private Decoded skip(Skip why) {
        skipped = why;
        return null;
    }

    private static int u16(byte[] f, int at) {
        return (f[at] & 0xff) << 8 | f[at + 1] & 0xff;
    }

    private static long u32(byte[] f, int at) {
        return ((long) u16(f, at)) << 16 | u16(f, at + 2);
    }
}
