package io.rampart.model.value;

import java.util.Arrays;

/**
 * An address under a mask (contiguous or not), IPv4 or IPv6 by its length: printed
 * {@code ADDRESS/LENGTH}, {@code ADDRESS/MASK} for a mask that is not a prefix, or the address
 * alone for a full mask when the option prints it so ({@code suffixed} false).
 */
public final class Network implements Value {

    private final byte[] address;
    private final byte[] mask;
    private final boolean suffixed;
    private final String text;

    public Network(byte[] address, byte[] mask, boolean suffixed) {
        if (address.length != mask.length) {
            throw new IllegalArgumentException("address and mask differ in length");
        }
        this.address = address.clone();
        this.mask = mask.clone();
        this.suffixed = suffixed;
        int prefix = AddressText.prefixLength(mask);
        String suffix = prefix >= 0 ? Integer.toString(prefix) : AddressText.format(mask);
        this.text = !suffixed && prefix == mask.length * 8 ? AddressText.format(address)
                : AddressText.format(address) + "/" + suffix;
    }

    public byte[] address() {
        return address.clone();
    }

    public byte[] mask() {
        return mask.clone();
    }

    /** Whether {@code other}, of the same family, is in this network. */
    public boolean contains(byte[] other) {
        if (other.length != address.length) {
            return false;
        }
        for (int i = 0; i < address.length; i++) {
            if (((other[i] ^ address[i]) & mask[i]) != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String text() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Network n && suffixed == n.suffixed && Arrays.equals(address, n.address)
                && Arrays.equals(mask, n.mask);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(address) + Arrays.hashCode(mask);
    }

    @Override
    public String toString() {
        return text;
    }
}
