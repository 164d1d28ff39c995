package io.rampart.trace;

import io.rampart.model.Family;
import io.rampart.model.extension.Addresses;
import java.util.Objects;

/**
 * One packet as the rules see it. Interfaces are null when the packet has none at that point;
 * ports are -1 for protocols without them, and the ICMP type and code -1 for non-ICMP packets.
 * {@code ctState} is null when conntrack is to decide it.
 *
 * @param proto the IP protocol number
 * @param tcpFlags the TCP flag bits (FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32, ECE 64, CWR 128)
 * @param tos the whole TOS / traffic class byte
 * @param length the layer-3 length: IPv4's total length, IPv6's payload length and its 40-byte header
 * @param spi the SPI of an AH or ESP packet, the CPI of an IPComp one; -1 for other protocols
 * @param ctMark the mark its connection carries, for a packet of a connection conntrack already has
 *               (ESTABLISHED or RELATED): an earlier packet's rule may have set it
 * @param ctNat what NAT did to that connection: {@link #CT_SNAT}, {@link #CT_DNAT}, both or neither
 */
public record Packet(Family family, String in, String out, boolean local, byte[] src, byte[] dst, int proto,
                     int sport, int dport, int tcpFlags, int icmpType, int icmpCode, int ttl, int tos, int length,
                     long mark, CtState ctState, long spi, long ctMark, int ctNat) {

    /** {@link #ctNat}'s bits: the connection's source, or destination, was translated. */
    public static final int CT_SNAT = 1;
    public static final int CT_DNAT = 2;

    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ICMP = 1;
    public static final int ICMPV6 = 58;
    public static final int SYN = 2;
    public static final int ACK = 16;
    /** ECN's flags, above those {@code --tcp-flags} names. */
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;
    /** The TCP flags by bit, FIN first: those {@code --tcp-flags} names, then ECE and CWR. */
    public static final java.util.List<String> TCP_FLAG_NAMES = java.util.stream.Stream.concat(
            io.rampart.model.value.FlagSet.TCP.stream(), java.util.stream.Stream.of("ECE", "CWR")).toList();

    public Packet {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        int bytes = family.addressBits() / 8;
        if (src.length != bytes || dst.length != bytes) {
            throw new IllegalArgumentException("addresses must be " + family.addressBits() + "-bit");
        }
        src = src.clone();
        dst = dst.clone();
    }

    /** A packet whose connection, if it has one, carries no mark and no NAT. */
    public Packet(Family family, String in, String out, boolean local, byte[] src, byte[] dst, int proto,
                  int sport, int dport, int tcpFlags, int icmpType, int icmpCode, int ttl, int tos, int length,
                  long mark, CtState ctState, long spi) {
        this(family, in, out, local, src, dst, proto, sport, dport, tcpFlags, icmpType, icmpCode, ttl, tos, length,
                mark, ctState, spi, 0, 0);
    }

    /** The same packet of a connection with that mark and NAT. */
    public Packet withConnection(long newCtMark, int newCtNat) {
        return new Packet(family, in, out, local, src, dst, proto, sport, dport, tcpFlags, icmpType,
                icmpCode, ttl, tos, length, mark, ctState, spi, newCtMark, newCtNat);
    }

    /** Whether the protocol carries ports the tcp, udp, sctp, dccp and multiport matches read. */
    public boolean hasPorts() {
        return proto == TCP || proto == UDP || proto == 132 || proto == 33 || proto == 136;
    }

    /** The IPsec and IPComp protocols, whose packets carry an SPI (a CPI for IPComp). */
    public static final java.util.Set<Integer> SPI_PROTOCOLS = java.util.Set.of(50, 51, 108);

    public boolean hasSpi() {
        return spi >= 0;
    }

    public boolean isIcmp() {
        return proto == (family == Family.IPV4 ? ICMP : ICMPV6);
    }

    @Override
    public byte[] src() {
        return src.clone();
    }

    @Override
    public byte[] dst() {
        return dst.clone();
    }

    /** The source address without copying; callers must not change it. */
    byte[] srcBytes() {
        return src;
    }

    byte[] dstBytes() {
        return dst;
    }

    public String srcText() {
        return Addresses.format(src);
    }

    public String dstText() {
        return Addresses.format(dst);
    }

    public Packet withInterfaces(String newIn, String newOut) {
        return new Packet(family, newIn, newOut, local, src, dst, proto, sport, dport, tcpFlags, icmpType,
                icmpCode, ttl, tos, length, mark, ctState, spi, ctMark, ctNat);
    }

    public Packet withSource(byte[] address, int port) {
        return new Packet(family, in, out, local, address, dst, proto, port, dport, tcpFlags, icmpType,
                icmpCode, ttl, tos, length, mark, ctState, spi, ctMark, ctNat);
    }

    public Packet withDestination(byte[] address, int port) {
        return new Packet(family, in, out, local, src, address, proto, sport, port, tcpFlags, icmpType,
                icmpCode, ttl, tos, length, mark, ctState, spi, ctMark, ctNat);
    }

    public Packet withTtl(int newTtl) {
        return new Packet(family, in, out, local, src, dst, proto, sport, dport, tcpFlags, icmpType,
                icmpCode, newTtl, tos, length, mark, ctState, spi, ctMark, ctNat);
    }

    public Packet withTcpFlags(int newFlags) {
        return new Packet(family, in, out, local, src, dst, proto, sport, dport, newFlags, icmpType,
                icmpCode, ttl, tos, length, mark, ctState, spi, ctMark, ctNat);
    }

    public Packet withTos(int newTos) {
        return new Packet(family, in, out, local, src, dst, proto, sport, dport, tcpFlags, icmpType,
                icmpCode, ttl, newTos, length, mark, ctState, spi, ctMark, ctNat);
    }

    public Packet withMark(long newMark) {
        return new Packet(family, in, out, local, src, dst, proto, sport, dport, tcpFlags, icmpType,
                icmpCode, ttl, tos, length, newMark, ctState, spi, ctMark, ctNat);
    }

    public Packet withCtState(CtState state) {
        return new Packet(family, in, out, local, src, dst, proto, sport, dport, tcpFlags, icmpType,
                icmpCode, ttl, tos, length, mark, state, spi, ctMark, ctNat);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Packet p && family == p.family && Objects.equals(in, p.in)
                && Objects.equals(out, p.out) && local == p.local && java.util.Arrays.equals(src, p.src)
                && java.util.Arrays.equals(dst, p.dst) && proto == p.proto && sport == p.sport
                && dport == p.dport && tcpFlags == p.tcpFlags && icmpType == p.icmpType
                && icmpCode == p.icmpCode && ttl == p.ttl && tos == p.tos && length == p.length
                && mark == p.mark && ctState == p.ctState && spi == p.spi && ctMark == p.ctMark && ctNat == p.ctNat;
    }

    /** Without boxing: coverage looks up a trace by its packet for every packet of a capture. */
    @Override
    public int hashCode() {
        int h = family.hashCode();
        h = 31 * h + Objects.hashCode(in);
        h = 31 * h + Objects.hashCode(out);
        h = 31 * h + Boolean.hashCode(local);
        h = 31 * h + java.util.Arrays.hashCode(src);
        h = 31 * h + java.util.Arrays.hashCode(dst);
        h = 31 * (31 * (31 * h + proto) + sport) + dport;
        h = 31 * (31 * (31 * h + tcpFlags) + icmpType) + icmpCode;
        h = 31 * (31 * (31 * h + ttl) + tos) + length;
        h = 31 * h + Long.hashCode(mark);
        h = 31 * h + Objects.hashCode(ctState);
        h = 31 * h + Long.hashCode(spi);
        return 31 * (31 * h + Long.hashCode(ctMark)) + ctNat;
    }

    @Override
    public String toString() {
        return "Packet[" + srcText() + " -> " + dstText() + " proto " + proto + "]";
    }
}
