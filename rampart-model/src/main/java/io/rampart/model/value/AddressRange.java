package io.rampart.model.value;

import java.util.Arrays;

/** An inclusive range of addresses, printed {@code FIRST-LAST}; a reversed one holds nothing. */
public final class AddressRange implements Value {

    private final byte[] first;
    private final byte[] last;

    public AddressRange(byte[] first, byte[] last) {
        if (first.length != last.length) {
            throw new IllegalArgumentException("the ends differ in length");
        }
        this.first = first.clone();
        this.last = last.clone();
    }

    public byte[] first() {
        return first.clone();
    }

    public byte[] last() {
        return last.clone();
    }

    /** Whether {@code address}, of the same family, lies between the ends. */
    public boolean contains(byte[] address) {
        return address.length == first.length && Arrays.compareUnsigned(address, first) >= 0
                && Arrays.compareUnsigned(address, last) <= 0;
    }

    @Override
    public String text() {
        return AddressText.format(first) + "-" + AddressText.format(last);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressRange r && Arrays.equals(first, r.first) && Arrays.equals(last, r.last);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(first) + Arrays.hashCode(last);
    }

    @Override
    public String toString() {
        return text();
    }
}
