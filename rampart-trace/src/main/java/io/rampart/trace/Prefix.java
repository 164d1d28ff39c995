package io.rampart.trace;

import io.rampart.model.Family;
import io.rampart.model.extension.Addresses;

/** An address with a prefix length: a network, or a host's address on its network. */
public record Prefix(byte[] address, int length) {

    public Prefix {
        address = address.clone();
    }

    /** Parses {@code ADDRESS[/LEN]}, or {@code default} for the whole family. */
    public static Prefix parse(String text, Family family) {
        if (text.equals("default")) {
            return new Prefix(new byte[family.addressBits() / 8], 0);
        }
        int slash = text.indexOf('/');
        byte[] address = Addresses.parseLiteral(slash < 0 ? text : text.substring(0, slash), family);
        if (address == null) {
            throw new IllegalArgumentException("not an " + family.command().replace("tables", "") + " address: " + text);
        }
        int length = slash < 0 ? family.addressBits() : Integer.parseInt(text.substring(slash + 1));
        return new Prefix(address, length);
    }

    public boolean contains(byte[] other) {
        return other.length == address.length && Bits.samePrefix(address, other, length);
    }

    @Override
    public byte[] address() {
        return address.clone();
    }

    @Override
    public String toString() {
        return Addresses.format(address) + "/" + length;
    }
}
