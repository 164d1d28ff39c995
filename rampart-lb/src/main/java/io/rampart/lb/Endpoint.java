package io.rampart.lb;

import io.rampart.model.Family;
import io.rampart.model.value.AddressText;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An address and port, written {@code 10.0.0.1:80} or {@code [2001:db8::1]:80}. The address is kept
 * in the canonical form iptables-save prints, so two spellings of one endpoint are equal.
 */
public record Endpoint(Family family, String address, int port) {

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6_WITH_PORT = Pattern.compile("\\[([0-9A-Fa-f:.]+)](?::(.*))?");

    /** Parses {@code text}; {@code what} names it in errors, e.g. {@code -src-addr}. */
    public static Endpoint parse(String text, String what) throws LbException {
        String written = text.strip();
        if (written.startsWith("[")) {
            Matcher v6 = IPV6_WITH_PORT.matcher(written);
            if (!v6.matches() || v6.group(2) == null) {
                throw bad(what, text, "write an IPv6 endpoint as [ADDRESS]:PORT");
            }
            return new Endpoint(Family.IPV6, ipv6(v6.group(1), what, text), port(v6.group(2), what, text));
        }
        int colon = written.lastIndexOf(':');
        if (colon < 0) {
            throw bad(what, text, "expected IP:PORT");
        }
        if (written.indexOf(':') != colon) {
            throw bad(what, text, "an IPv6 address needs brackets: [ADDRESS]:PORT");
        }
        return new Endpoint(Family.IPV4, ipv4(written.substring(0, colon), what, text),
                port(written.substring(colon + 1), what, text));
    }

    private static String ipv4(String address, String what, String text) throws LbException {
        Matcher m = IPV4.matcher(address);
        if (!m.matches()) {
            throw bad(what, text, "`" + address + "' is not an IPv4 address (four numbers 0-255 with dots)");
        }
        StringBuilder canonical = new StringBuilder();
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255) {
                throw bad(what, text, "octet " + m.group(i) + " is out of range 0-255");
            }
            canonical.append(i > 1 ? "." : "").append(octet);
        }
        String result = canonical.toString();
        int first = Integer.parseInt(m.group(1));
        if (first == 0 || first >= 224) {
            throw bad(what, text, result + " is not a unicast address");
        }
        return result;
    }

    private static String ipv6(String address, String what, String text) throws LbException {
        if (!address.contains(":")) {
            throw bad(what, text, "`" + address + "' is not an IPv6 address");
        }
        try {
            // Only literal characters reach here (hex digits, colons, dots), so this never resolves a name.
            InetAddress parsed = InetAddress.getByName(address);
            if (!(parsed instanceof Inet6Address)) {
                throw bad(what, text, address + " is an IPv4 address in IPv6 form; write it as IPv4");
            }
            if (parsed.isAnyLocalAddress() || parsed.isMulticastAddress()) {
                throw bad(what, text, address + " is not a unicast address");
            }
            return AddressText.format(parsed.getAddress());
        } catch (UnknownHostException e) {
            throw bad(what, text, "`" + address + "' is not an IPv6 address");
        }
    }

    private static int port(String port, String what, String text) throws LbException {
        if (!port.matches("\\d{1,5}")) {
            throw bad(what, text, "port `" + port + "' is not a number 1-65535");
        }
        int value = Integer.parseInt(port);
        if (value < 1 || value > 65535) {
            throw bad(what, text, "port " + value + " is out of range 1-65535");
        }
        return value;
    }

    private static LbException bad(String what, String text, String why) {
        return new LbException(what + ": bad address `" + text + "': " + why);
    }

    /** The address as a rule matches it: {@code 10.0.0.1/32}. */
    public String hostMatch() {
        return address + "/" + family.addressBits();
    }

    /** The form DNAT's --to-destination takes and iptables-save prints. */
    @Override
    public String toString() {
        return family == Family.IPV6 ? "[" + address + "]:" + port : address + ":" + port;
    }
}
