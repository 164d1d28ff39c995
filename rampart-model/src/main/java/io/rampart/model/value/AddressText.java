package io.rampart.model.value;

import java.util.Arrays;

/** Addresses and masks as iptables-save prints them. */
public final class AddressText {

    private AddressText() {
    }

    /** The address's bytes as iptables-save prints them (glibc inet_ntop). */
    public static String format(byte[] address) {
        return address.length == 4 ? formatIpv4(address) : formatIpv6(address);
    }

    private static String formatIpv4(byte[] a) {
        return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
    }

    private static String formatIpv6(byte[] a) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 0;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        if (bestLength < 2) {
            bestStart = -1;
        }
        // glibc prints an IPv4-mapped or -compatible address with a dotted tail.
        boolean dotted = bestStart == 0 && (bestLength == 6 || (bestLength == 5 && groups[5] == 0xffff));
        StringBuilder out = new StringBuilder();
        int groupsToPrint = dotted ? 6 : 8;
        for (int i = 0; i < groupsToPrint; i++) {
            if (bestStart >= 0 && i >= bestStart && i < bestStart + bestLength) {
                if (i == bestStart) {
                    out.append(':');
                }
                continue;
            }
            if (i != 0) {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        if (bestStart >= 0 && bestStart + bestLength == groupsToPrint) {
            out.append(':');
        }
        if (dotted) {
            if (out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(formatIpv4(Arrays.copyOfRange(a, 12, 16)));
        }
        return out.toString();
    }

    /** The prefix length of a contiguous mask, or -1 when the mask is not contiguous. */
    public static int prefixLength(byte[] mask) {
        int bits = 0;
        int i = 0;
        while (i < mask.length && mask[i] == (byte) 0xff) {
            bits += 8;
            i++;
        }
        if (i < mask.length) {
            int b = mask[i] & 0xff;
            int ones = Integer.numberOfLeadingZeros(~b << 24);
            if (((b << ones) & 0xff) != 0) {
                return -1;
            }
            bits += ones;
            for (i++; i < mask.length; i++) {
                if (mask[i] != 0) {
                    return -1;
                }
            }
        }
        return bits;
    }
}
