package io.rampart.trace;

import io.rampart.model.Family;
import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.TargetSemantics;

/**
 * HMARK as the kernel computes it: the packet mark is {@code offset + hash * mod / 2^32}, the hash
 * being jhash over the masked addresses (smaller first), the masked ports or SPI (larger first) and
 * the seed, xor the masked protocol. What the packet does not show (an SPI, an ICMP error's inner
 * header, the connection's tuples for {@code --hmark-tuple ct}) leaves the trace undecided.
 */
final class HashMark {

    private static final int ICMP_V4 = 1;
    private static final int ESP = 50;
    private static final int AH = 51;
    /** The protocols whose first four bytes are ports (tcp, udp, udplite, sctp, dccp). */
    private static final java.util.Set<Integer> PORTS = java.util.Set.of(6, 17, 136, 132, 33);
    /** ICMP error types, which HMARK hashes by the header they quote. */
    private static final java.util.Set<Integer> ICMP_ERRORS = java.util.Set.of(3, 4, 5, 11, 12);

    private final Family family;
    private final byte[] srcMask;
    private final byte[] dstMask;
    private final long portMask;
    private final long portSet;
    private final int protoMask;
    private final int seed;
    private final long modulus;
    private final long offset;
    private final boolean connection;

    private HashMark(TargetSemantics.HashMark declared, Family family) {
        this.family = family;
        int bytes = family.addressBits() / 8;
        this.srcMask = Addresses.maskOf(declared.sourcePrefix(), bytes);
        this.dstMask = Addresses.maskOf(declared.destinationPrefix(), bytes);
        this.portMask = declared.portMask();
        this.portSet = declared.portSet();
        this.protoMask = declared.protocolMask();
        this.seed = declared.seed();
        this.modulus = declared.modulus();
        this.offset = declared.offset();
        this.connection = declared.connection();
    }

    static Action action(TargetSemantics.HashMark declared, Family family) {
        HashMark hmark = new HashMark(declared, family);
        return Action.depending(hmark::decide);
    }

    private Action decide(Flow flow) {
        Packet p = flow.packet;
        if (connection) {
            return Action.undecided("-j HMARK --hmark-tuple ct", "the hash is over the connection's tuples, which"
                    + " the tracer does not keep");
        }
        boolean icmpError = family == Family.IPV4 ? p.proto() == ICMP_V4 && ICMP_ERRORS.contains(p.icmpType())
                : p.proto() == Packet.ICMPV6 && p.icmpType() > 0 && p.icmpType() < 128;
        if (icmpError) {
            return Action.undecided("-j HMARK", "an ICMP error is hashed by the packet it quotes, which the tracer"
                    + " does not have");
        }
        long ports = 0;
        if (PORTS.contains(p.proto())) {
            ports = swapped(((long) p.sport() << 16 | p.dport()) & portMask | portSet);
        } else if (p.proto() == ESP || p.proto() == AH) {
            if (portMask != 0) {
                return Action.undecided("-j HMARK", "the hash includes the SPI, which the tracer's packet lacks");
            }
            ports = swapped(portSet);
        }
        long src = folded(p.srcBytes(), srcMask);
        long dst = folded(p.dstBytes(), dstMask);
        int hash = jhash(Math.min(src, dst), Math.max(src, dst), ports, seed) ^ (p.proto() & protoMask);
        long mark = ((Integer.toUnsignedLong(hash) * modulus) >>> 32) + offset & 0xffffffffL;
        return new Action(Action.Kind.CONTINUE, null, f -> f.packet = f.packet.withMark(mark));
    }

    /** The two 16-bit halves, the larger one first. */
    private static long swapped(long word) {
        long first = word >>> 16 & 0xffff;
        long second = word & 0xffff;
        return second > first ? second << 16 | first : first << 16 | second;
    }

    /** The masked address as one 32-bit number: an IPv6 address's four words xor-ed. */
    private static long folded(byte[] address, byte[] mask) {
        long value = 0;
        for (int word = 0; word < address.length / 4; word++) {
            long part = 0;
            for (int i = word * 4; i < word * 4 + 4; i++) {
                part = part << 8 | (address[i] & mask[i] & 0xff);
            }
            value ^= part;
        }
        return value;
    }

    /** The rotations of jhash's final mix, each step mixing one word into the next (c from b, a from c, ...). */
    private static final int[] FINAL_ROTATIONS = {14, 11, 25, 16, 4, 14, 24};

    /** The kernel's jhash_3words. */
    private static int jhash(long first, long second, long third, int seed) {
        int init = seed + 0xdeadbeef + (3 << 2);
        int[] word = {(int) first + init, (int) second + init, (int) third + init};
        for (int step = 0; step < FINAL_ROTATIONS.length; step++) {
            int into = (2 + step) % 3;
            int from = (1 + step) % 3;
            word[into] ^= word[from];
            word[into] -= Integer.rotateLeft(word[from], FINAL_ROTATIONS[step]);
        }
        return word[2];
    }
}
