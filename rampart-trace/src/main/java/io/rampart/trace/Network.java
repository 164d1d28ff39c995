package io.rampart.trace;

import io.rampart.model.Family;
import io.rampart.model.extension.Addresses;

/** An address and mask as a rule's {@code -s}/{@code -d} keeps them (the mask may be non-contiguous). */
record Network(byte[] address, byte[] mask) {

    static Network parse(String text, Family family) {
        int slash = text.indexOf('/');
        byte[] address = Addresses.parseLiteral(text.substring(0, slash < 0 ? text.length() : slash), family);
        int bytes = family.addressBits() / 8;
        byte[] mask;
        if (slash < 0) {
            mask = Addresses.maskOf(family.addressBits(), bytes);
        } else {
            String m = text.substring(slash + 1);
            mask = m.contains(".") || m.contains(":") ? Addresses.parseLiteral(m, family)
                    : Addresses.maskOf(Integer.parseInt(m), bytes);
        }
        return new Network(address, mask);
    }

    boolean contains(byte[] other) {
        return Bits.maskedEqual(other, address, mask);
    }
}
