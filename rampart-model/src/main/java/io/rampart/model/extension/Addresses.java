package io.rampart.model.extension;

import io.rampart.model.Family;
import io.rampart.model.value.AddressText;
import io.rampart.model.value.Network;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/** Address parsing and printing the way iptables and glibc do it. */
public final class Addresses {

    private Addresses() {
    }

    /**
     * Parses a literal address of the family into its bytes, or returns null when {@code text} is
     * not one (so callers can try a host name).
     */
    public static byte[] parseLiteral(String text, Family family) {
        return family == Family.IPV4 ? parseIpv4(text) : parseIpv6(text);
    }

    /** Exactly four decimal dotted parts, as inet_pton reads them. */
    static byte[] parseIpv4(String text) {
        byte[] out = new byte[4];
        int from = 0;
        for (int i = 0; i < 4; i++) {
            int end = i < 3 ? text.indexOf('.', from) : text.length();
            if (end < 0 || end == from || end - from > 3 || !allDigits(text, from, end)) {
                return null;
            }
            int value = Integer.parseInt(text, from, end, 10);
            if (value > 255) {
                return null;
            }
            out[i] = (byte) value;
            from = end + 1;
        }
        return out;
    }

    /** Whether {@code text} has only digits from {@code from} to {@code end}: every address is checked so. */
    private static boolean allDigits(String text, int from, int end) {
        for (int i = from; i < end; i++) {
            if (!Character.isDigit(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * An IPv4 address as iptables reads one in {@code -s}, {@code -d} and ranges: one to four
     * dotted parts, each a number in any base C's strtoul takes, missing trailing parts zero, so
     * {@code 22} is 22.0.0.0 and {@code 10.1} is 10.1.0.0 (xtables_numeric_to_ipaddr); null if not.
     */
    public static byte[] parseXtablesIpv4(String text) {
        byte[] out = new byte[4];
        int from = 0;
        for (int i = 0; i < 4; i++) {
            int dot = text.indexOf('.', from);
            OptionalLong part = CNumbers.xtablesWhole(text.substring(from, dot < 0 ? text.length() : dot), 0, 255);
            if (part.isEmpty()) {
                return null;
            }
            out[i] = (byte) part.getAsLong();
            if (dot < 0) {
                return out;
            }
            from = dot + 1;
        }
        return null;
    }

    /**
     * An IPv4 address as inet_aton (and so getaddrinfo) reads one: one to four dotted numbers in
     * C's bases (0x hex, leading-zero octal, decimal), the last filling the remaining bytes, so
     * {@code 0x7f000001} and {@code 127.1} are both 127.0.0.1; null if not.
     */
    static byte[] parseInetAton(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length > 4) {
            return null;
        }
        long value = 0;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            CNumbers.Read read = part.isEmpty() || !Character.isDigit(part.charAt(0)) ? null
                    : CNumbers.strtoul(part, 0, 0);
            boolean last = i == parts.length - 1;
            int bits = last ? 8 * (4 - i) : 8;
            if (read == null || !read.found() || read.overflow() || read.end() != part.length()
                    || Long.compareUnsigned(read.value(), (1L << bits) - 1) > 0) {
                return null;
            }
            value = (value << bits) | read.value();
        }
        return ipv4OfNumber(value);
    }

    static byte[] parseIpv6(String text) {
        if (text.isEmpty() || !text.contains(":")) {
            return null;
        }
        byte[] tail4 = null;
        String body = text;
        int lastColon = text.lastIndexOf(':');
        if (text.indexOf('.', lastColon) >= 0) {
            tail4 = parseIpv4(text.substring(lastColon + 1));
            if (tail4 == null) {
                return null;
            }
            body = text.substring(0, lastColon + 1) + "0:0";
        }
        int doubleColon = body.indexOf("::");
        if (doubleColon >= 0 && body.indexOf("::", doubleColon + 1) >= 0) {
            return null;
        }
        List<String> head = new ArrayList<>();
        List<String> tail = new ArrayList<>();
        if (doubleColon >= 0) {
            split(body.substring(0, doubleColon), head);
            split(body.substring(doubleColon + 2), tail);
            if (head.size() + tail.size() > 7) {
                return null;
            }
        } else {
            split(body, head);
            if (head.size() != 8) {
                return null;
            }
        }
        int[] groups = new int[8];
        for (int i = 0; i < head.size(); i++) {
            groups[i] = hexGroup(head.get(i));
        }
        for (int i = 0; i < tail.size(); i++) {
            groups[8 - tail.size() + i] = hexGroup(tail.get(i));
        }
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            if (groups[i] < 0) {
                return null;
            }
            out[2 * i] = (byte) (groups[i] >> 8);
            out[2 * i + 1] = (byte) groups[i];
        }
        if (tail4 != null) {
            System.arraycopy(tail4, 0, out, 12, 4);
        }
        return out;
    }

    private static void split(String part, List<String> into) {
        if (!part.isEmpty()) {
            into.addAll(Arrays.asList(part.split(":", -1)));
        }
    }

    private static int hexGroup(String group) {
        if (group.isEmpty() || group.length() > 4) {
            return -1;
        }
        try {
            return Integer.parseInt(group, 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The address's bytes as iptables-save prints them (glibc inet_ntop). */
    public static String format(byte[] address) {
        return AddressText.format(address);
    }

    /** The prefix length of a contiguous mask, or -1 when the mask is not contiguous. */
    public static int prefixLength(byte[] mask) {
        return AddressText.prefixLength(mask);
    }

    /**
     * A canonical {@code ADDRESS}, {@code ADDRESS/LENGTH} or {@code ADDRESS/MASK} as a network of
     * the address's family; {@code suffixed} says whether a full mask is printed.
     */
    public static Network network(String canonical, boolean suffixed) {
        int slash = canonical.indexOf('/');
        String host = slash < 0 ? canonical : canonical.substring(0, slash);
        Family family = host.indexOf(':') >= 0 ? Family.IPV6 : Family.IPV4;
        byte[] address = parseLiteral(host, family);
        if (address == null) {
            throw new IllegalArgumentException("not a canonical address: " + canonical);
        }
        int bytes = family.addressBits() / 8;
        String suffix = slash < 0 ? null : canonical.substring(slash + 1);
        byte[] mask = suffix == null ? maskOf(family.addressBits(), bytes)
                : suffix.indexOf('.') >= 0 || suffix.indexOf(':') >= 0 ? parseLiteral(suffix, family)
                : maskOf(Integer.parseInt(suffix), bytes);
        return new Network(address, mask, suffixed);
    }

    /** The IPv4 address a 32-bit number stands for, as inet_aton reads a lone number. */
    public static byte[] ipv4OfNumber(long value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    public static byte[] maskOf(int prefix, int bytes) {
        byte[] mask = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            int bitsHere = Math.max(0, Math.min(8, prefix - 8 * i));
            mask[i] = (byte) (0xff00 >> bitsHere);
        }
        return mask;
    }

    public static byte[] and(byte[] address, byte[] mask) {
        byte[] out = new byte[address.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (address[i] & mask[i]);
        }
        return out;
    }

    /**
     * Parses {@code ADDR[/MASK]} where ADDR may be a host name and MASK a prefix length or an
     * address-shaped mask; returns one canonical {@code addr/len} (or {@code addr/mask} for a
     * non-contiguous mask) per address, in the order iptables would add the rules.
     */
    public static List<String> parseNetworks(String text, Family family, HostNames names)
            throws InvalidValueException {
        List<Network> networks = networks(text, family, names);
        if (networks.size() == 1) {
            return List.of(networks.get(0).text());
        }
        return networks.stream().map(Network::text).toList();
    }

    /** {@link #parseNetworks} as values, each printed with its prefix length (or mask). */
    public static List<Network> networks(String text, Family family, HostNames names) throws InvalidValueException {
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        byte[] mask;
        int bytes = family.addressBits() / 8;
        if (slash < 0) {
            mask = maskOf(family.addressBits(), bytes);
        } else {
            mask = parseMask(text.substring(slash + 1), family, text);
        }
        boolean any = isZero(mask);
        byte[] numeric = family == Family.IPV4 ? parseXtablesIpv4(host) : null;
        List<byte[]> addresses = any ? List.of(new byte[bytes]) : numeric != null ? List.of(numeric)
                : resolve(host, family, names);
        // Nearly always one address: no set needed to drop repeats.
        if (addresses.size() == 1) {
            return List.of(new Network(and(addresses.get(0), mask), mask, true));
        }
        Set<Network> out = new LinkedHashSet<>();
        for (byte[] address : addresses) {
            out.add(new Network(and(address, mask), mask, true));
        }
        return List.copyOf(out);
    }

    private static boolean isZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] parseMask(String mask, Family family, String whole) throws InvalidValueException {
        if (!mask.isEmpty() && allDigits(mask, 0, mask.length()) && mask.length() <= 3) {
            int prefix = Integer.parseInt(mask);
            if (prefix > family.addressBits()) {
                throw new InvalidValueException("invalid mask `" + mask + "' in " + whole + ": a prefix length is 0 to "
                        + family.addressBits());
            }
            return maskOf(prefix, family.addressBits() / 8);
        }
        byte[] dotted = family == Family.IPV4 ? parseXtablesIpv4(mask) : parseLiteral(mask, family);
        if (dotted == null) {
            throw new InvalidValueException("invalid mask `" + mask + "' in " + whole);
        }
        return dotted;
    }

    /**
     * A literal address (four parts for IPv4), or else a name resolved by the system's resolver,
     * which also reads inet_aton's short forms ({@code 1.2.3} is 1.2.0.3), as the extensions that
     * use getaddrinfo do.
     */
    public static List<byte[]> resolve(String host, Family family, HostNames names) throws InvalidValueException {
        byte[] literal = family == Family.IPV4 ? parseInetAton(host) : parseLiteral(host, family);
        if (literal != null) {
            return List.of(literal);
        }
        if (host.isEmpty() || parseLiteral(host, family == Family.IPV4 ? Family.IPV6 : Family.IPV4) != null
                || !host.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
            throw new InvalidValueException("host/network `" + host + "' is not an " + (family == Family.IPV4
                    ? "IPv4" : "IPv6") + " address or a host name");
        }
        List<byte[]> found = new ArrayList<>();
        for (byte[] raw : names.addresses(host).orElseThrow(() -> new InvalidValueException("host/network `"
                + host + "' not found"))) {
            if (raw.length * 8 == family.addressBits()) {
                found.add(raw);
            }
        }
        if (found.isEmpty()) {
            throw new InvalidValueException("host/network `" + host + "' has no " + (family == Family.IPV4
                    ? "IPv4" : "IPv6") + " address");
        }
        return found;
    }
}
