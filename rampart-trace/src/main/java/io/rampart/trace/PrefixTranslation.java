package io.rampart.trace;

import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.TargetSemantics;
import io.rampart.model.value.Network;

/**
 * SNPT and DNPT as the kernel rewrites an address (RFC 6296): the prefix is replaced, and one
 * 16-bit word after it is adjusted by the difference of the prefixes' one's-complement sums, so
 * the transport checksum stays right. The word is the fourth for prefixes up to /48, else the
 * first after the 64th bit that is not 0xffff; with none, the kernel drops the packet.
 */
final class PrefixTranslation {

    private final byte[] to;
    private final int length;
    private final int adjustment;
    private final boolean source;

    private PrefixTranslation(TargetSemantics.PrefixTranslation declared) {
        byte[] from = declared.from().address();
        this.to = declared.to().address();
        this.length = Math.max(length(declared.from()), length(declared.to()));
        this.adjustment = fold(sum(from) + (~sum(to) & 0xffff));
        this.source = declared.source();
    }

    static Action action(TargetSemantics.PrefixTranslation declared) {
        PrefixTranslation npt = new PrefixTranslation(declared);
        return Action.depending(npt::decide);
    }

    private Action decide(Flow flow) {
        byte[] address = map(source ? flow.packet.srcBytes() : flow.packet.dstBytes());
        if (address == null) {
            return Action.of(Action.Kind.DROP);
        }
        return new Action(Action.Kind.CONTINUE, null, source
                ? f -> f.packet = f.packet.withSource(address, f.packet.sport())
                : f -> f.packet = f.packet.withDestination(address, f.packet.dport()));
    }

    private byte[] map(byte[] original) {
        byte[] address = original.clone();
        for (int bit = 0; bit < length; bit++) {
            int mask = 0x80 >> (bit % 8);
            address[bit / 8] = (byte) ((address[bit / 8] & ~mask) | (to[bit / 8] & mask));
        }
        int word = 3;
        if (length > 48) {
            word = 4;
            while (word < 8 && group(address, word) == 0xffff) {
                word++;
            }
            if (word == 8) {
                return null;
            }
        }
        int adjusted = fold(group(address, word) + adjustment);
        if (adjusted == 0xffff) {
            adjusted = 0;
        }
        address[2 * word] = (byte) (adjusted >> 8);
        address[2 * word + 1] = (byte) adjusted;
        return address;
    }

    private static int group(byte[] address, int index) {
        return (address[2 * index] & 0xff) << 8 | (address[2 * index + 1] & 0xff);
    }

    /** The one's-complement sum of an address's 16-bit words. */
    private static int sum(byte[] address) {
        int total = 0;
        for (int i = 0; i < 8; i++) {
            total = fold(total + group(address, i));
        }
        return total;
    }

    private static int fold(long value) {
        long folded = (value & 0xffff) + (value >>> 16);
        return (int) ((folded & 0xffff) + (folded >>> 16));
    }

    private static int length(Network prefix) {
        return Addresses.prefixLength(prefix.mask());
    }
}
