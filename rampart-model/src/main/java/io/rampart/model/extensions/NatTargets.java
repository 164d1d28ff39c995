package io.rampart.model.extensions;

import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.Table;
import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.TargetSemantics;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import io.rampart.model.value.AddressRange;
import io.rampart.model.value.NatPorts;
import io.rampart.model.value.NatRange;
import io.rampart.model.value.Network;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The address translation targets of the nat table: DNAT, SNAT, MASQUERADE, REDIRECT and NETMAP. */
final class NatTargets {

    private NatTargets() {
    }

    private static final int MAX_PORT = 65535;

    /** Protocols whose ports NAT can change (1 is ICMP, whose id field counts as the port). */
    private static final List<String> PORT_PROTOCOLS = List.of("tcp", "udp", "sctp", "dccp", "icmp");

    /** What the kernel keeps of a {@code /BASE} after a port range. */
    private enum PortBase {
        /** DNAT keeps the base port (shifted port map). */
        KEPT,
        /** SNAT and MASQUERADE keep the flag but not the port: it prints as {@code /0}. */
        ZEROED,
        /** REDIRECT has no room for it: iptables refuses it. */
        REFUSED
    }

    static List<ExtensionSpec> specs() {
        return List.of(
                ExtensionSpec.target("DNAT", "rewrite the destination address and/or port",
                                OptionSpec.of("to-destination", "address[-address][:port[-port[/base]]] to map to;"
                                        + " IPv6 with a port: [address]:port", range(PortBase.KEPT)).required(),
                                OptionSpec.flag("random", "pick ports at random"),
                                OptionSpec.flag("persistent", "map a client to the same address every time"))
                        .inTables(Table.NAT).atHooks(Hook.PREROUTING, Hook.OUTPUT)
                        .does(options -> new TargetSemantics.Dnat(Checks.value(options, "to-destination",
                                NatRange.class))),
                ExtensionSpec.target("SNAT", "rewrite the source address and/or port",
                                OptionSpec.of("to-source", "address[-address][:port[-port]] to map to;"
                                        + " IPv6 with a port: [address]:port", range(PortBase.ZEROED)).required(),
                                OptionSpec.flag("random", "pick ports at random"),
                                OptionSpec.flag("random-fully", "pick ports fully at random"),
                                OptionSpec.flag("persistent", "map a client to the same address every time"))
                        .inTables(Table.NAT).atHooks(Hook.POSTROUTING, Hook.INPUT)
                        .does(options -> new TargetSemantics.Snat(Checks.value(options, "to-source", NatRange.class))),
                ExtensionSpec.target("MASQUERADE", "rewrite the source to the outgoing interface's address",
                                OptionSpec.of("to-ports", "port[-port] to map source ports to", ports(PortBase.ZEROED)),
                                OptionSpec.flag("random", "pick ports at random"),
                                OptionSpec.flag("random-fully", "pick ports fully at random"))
                        .inTables(Table.NAT).atHooks(Hook.POSTROUTING)
                        .does(options -> new TargetSemantics.Masquerade(Checks.value(options, "to-ports",
                                NatPorts.class))),
                ExtensionSpec.target("REDIRECT", "send the packet to this host, to a local port",
                                OptionSpec.of("to-ports", "port[-port] to redirect to", ports(PortBase.REFUSED)),
                                OptionSpec.flag("random", "pick ports at random"))
                        .inTables(Table.NAT).atHooks(Hook.PREROUTING, Hook.OUTPUT)
                        .does(options -> new TargetSemantics.Redirect(Checks.value(options, "to-ports",
                                NatPorts.class))),
                ExtensionSpec.target("NETMAP", "map a whole network onto another, keeping the host part",
                                OptionSpec.of("to", "network address/prefix to map to", NETWORK).required())
                        .inTables(Table.NAT)
                        .does(options -> new TargetSemantics.Netmap(Checks.value(options, "to", Network.class))));
    }

    /** {@code address[-address][:ports]}, IPv6 addresses in brackets when ports follow. */
    private static ValueType range(PortBase base) {
        return Values.typed("nat-range", "address[-address][:port[-port]]", (raw, ctx) -> natRange(raw, ctx, base),
                NatTargets::natRangeValue);
    }

    private static ValueType ports(PortBase base) {
        return Values.typed("nat-ports", "port[-port]", (raw, ctx) -> portRange(raw, ctx, base), NatPorts::parse);
    }

    /**
     * A canonical range as its value: ports follow a bracket (IPv6) or the one colon of an IPv4
     * range, or make up the whole of it ({@code :PORTS}).
     */
    private static NatRange natRangeValue(String canonical) {
        String addresses = canonical;
        String ports = null;
        if (canonical.startsWith("[")) {
            int close = canonical.indexOf(']');
            addresses = canonical.substring(1, close);
            ports = canonical.substring(close + 2);
        } else if (canonical.startsWith(":") && !canonical.startsWith("::")) {
            addresses = "";
            ports = canonical.substring(1);
        } else if (canonical.indexOf(':') >= 0 && canonical.indexOf(':') == canonical.lastIndexOf(':')) {
            addresses = canonical.substring(0, canonical.indexOf(':'));
            ports = canonical.substring(canonical.indexOf(':') + 1);
        }
        return new NatRange(addresses.isEmpty() ? null : addressRange(addresses),
                ports == null ? null : NatPorts.parse(ports));
    }

    private static AddressRange addressRange(String canonical) {
        Family family = canonical.indexOf(':') >= 0 ? Family.IPV6 : Family.IPV4;
        int dash = canonical.indexOf('-');
        String first = dash < 0 ? canonical : canonical.substring(0, dash);
        String last = dash < 0 ? canonical : canonical.substring(dash + 1);
        return new AddressRange(Addresses.parseLiteral(first, family), Addresses.parseLiteral(last, family));
    }

    /** Reads the range the way iptables splits it: a bracket or a single colon starts the ports. */
    private static String natRange(String raw, ValueContext context, PortBase base) throws InvalidValueException {
        boolean ipv6 = context.ipv6();
        String addresses;
        String ports = null;
        int open = raw.indexOf('[');
        if (open < 0) {
            int colon = raw.indexOf(':');
            if (colon >= 0 && raw.indexOf(':', colon + 1) < 0) {
                ports = raw.substring(colon + 1);
                addresses = raw.substring(0, colon);
            } else {
                addresses = raw;
            }
        } else {
            int close = raw.indexOf(']', open + 1);
            if (close < 0 || !ipv6) {
                throw new InvalidValueException("invalid address format `" + raw + "'"
                        + (ipv6 ? ": a `[' needs its `]'" : ": brackets are for IPv6 addresses only"));
            }
            int colon = raw.indexOf(':', close + 1);
            if (colon >= 0) {
                ports = raw.substring(colon + 1);
            }
            addresses = raw.substring(open + 1, close);
        }
        String portText = ports == null ? "" : ":" + portRange(ports, context, base);
        if (ports != null && (raw.startsWith(":") || raw.startsWith("[]:"))) {
            return portText;
        }
        int dash = addresses.indexOf('-');
        String low = dash < 0 ? addresses : addresses.substring(0, dash);
        String high = dash < 0 ? low : addresses.substring(dash + 1);
        String first = Addresses.format(address(low, context.family()));
        String last = Addresses.format(address(high, context.family()));
        String text = first.equals(last) ? first : first + "-" + last;
        return (ipv6 && ports != null ? "[" + text + "]" : text) + portText;
    }

    /** An address as inet_pton reads it: no host names, no leading zeros in IPv4. */
    private static byte[] address(String text, Family family) throws InvalidValueException {
        byte[] parsed = Addresses.parseLiteral(text, family);
        boolean leadingZero = family == Family.IPV4
                && Arrays.stream(text.split("\\.")).anyMatch(part -> part.length() > 1 && part.startsWith("0"));
        if (parsed == null || leadingZero) {
            throw new InvalidValueException("bad IP address `" + text + "': expected an "
                    + (family == Family.IPV4 ? "IPv4" : "IPv6") + " address");
        }
        return parsed;
    }

    /**
     * {@code port[-port[/base]]}: the first port and the base may be service names, the last may
     * not; the range must not be reversed.
     */
    private static String portRange(String raw, ValueContext context, PortBase base) throws InvalidValueException {
        String protocol = context.protocolIfAny().orElse(null);
        if (protocol == null || !PORT_PROTOCOLS.contains(protocol)) {
            throw new InvalidValueException("ports need -p tcp, udp, sctp or dccp before the target");
        }
        CNumbers.Read first = CNumbers.xtablesPrefix(raw, 0, 0, MAX_PORT);
        int low;
        int end;
        if (first == null) {
            low = service(raw, context.names());
            end = raw.length();
        } else {
            low = (int) first.value();
            end = first.end();
        }
        if (end == raw.length()) {
            return Integer.toString(low);
        }
        char separator = raw.charAt(end);
        if (separator == ':') {
            throw new InvalidValueException("invalid port range `" + raw + "': write port-port with a dash");
        }
        if (separator != '-') {
            throw new InvalidValueException("garbage after port `" + raw.substring(end) + "' in `" + raw + "'");
        }
        CNumbers.Read second = CNumbers.xtablesPrefix(raw, end + 1, 0, MAX_PORT);
        if (second == null) {
            throw new InvalidValueException("port `" + raw.substring(end + 1) + "' is not valid: the end of a range"
                    + " must be a number 0-65535");
        }
        int high = (int) second.value();
        if (high < low) {
            throw new InvalidValueException("reversed port range `" + raw + "': write " + high + "-" + low);
        }
        String text = low == high ? Integer.toString(low) : low + "-" + high;
        if (second.end() == raw.length()) {
            return text;
        }
        if (raw.charAt(second.end()) != '/') {
            throw new InvalidValueException("garbage after port range `" + raw.substring(second.end()) + "'");
        }
        String baseText = raw.substring(second.end() + 1);
        // Like iptables, whatever follows a base port number is ignored.
        CNumbers.Read baseNumber = CNumbers.xtablesPrefix(baseText, 0, 1, MAX_PORT);
        int basePort = baseNumber != null ? (int) baseNumber.value() : service(baseText, context.names());
        return switch (base) {
            case KEPT -> text + "/" + basePort;
            case ZEROED -> text + "/0";
            case REFUSED -> throw new InvalidValueException("a base port (`/" + baseText + "') is not supported here");
        };
    }

    private static int service(String name, HostNames names) throws InvalidValueException {
        for (String protocol : List.of("tcp", "udp", "sctp", "dccp")) {
            Optional<Integer> port = names.servicePort(name, protocol);
            if (port.isPresent()) {
                return port.get();
            }
        }
        throw new InvalidValueException("port `" + name + "' is not valid: use a number 0-65535 or a service name");
    }

    /** NETMAP's {@code address[/prefix]}: printed as the network and its prefix length. */
    private static final ValueType NETWORK = Values.typed("network", "address[/prefix]", (raw, ctx) -> {
        Family family = ctx.family();
        int bits = family.addressBits();
        int slash = raw.indexOf('/');
        String host = slash < 0 ? raw : raw.substring(0, slash);
        List<String> distinct = Addresses.resolve(host, family, ctx.names()).stream().map(Addresses::format).distinct().toList();
        if (distinct.size() > 1) {
            throw new InvalidValueException("`" + host + "' resolves to more than one address: "
                    + String.join(", ", distinct));
        }
        byte[] address = Addresses.parseLiteral(distinct.get(0), family);
        int prefix = slash < 0 ? bits : prefix(raw.substring(slash + 1), family);
        return Addresses.format(Addresses.and(address, Addresses.maskOf(prefix, bits / 8))) + "/" + prefix;
    }, canonical -> Addresses.network(canonical, true));

    /**
     * A prefix length or a mask. A mask with holes, or a number past the address size, leaves the
     * whole address (that is what iptables 1.8.9 stores).
     */
    private static int prefix(String text, Family family) throws InvalidValueException {
        int bits = family.addressBits();
        OptionalLong number = CNumbers.xtablesWhole(text, 0, -1L);
        if (number.isPresent()) {
            return Long.compareUnsigned(number.getAsLong(), bits) <= 0 ? (int) number.getAsLong() : bits;
        }
        byte[] mask = Addresses.parseLiteral(text, family);
        if (mask == null) {
            throw new InvalidValueException("`" + text + "' is neither a prefix length 0-" + bits + " nor a mask");
        }
        int length = Addresses.prefixLength(mask);
        return length < 0 ? bits : length;
    }
}
