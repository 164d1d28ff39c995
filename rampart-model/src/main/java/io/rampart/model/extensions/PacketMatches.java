package io.rampart.model.extensions;

import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.Option;
import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Matches on IP header fields and packet properties: addresses, length, TTL, TOS, routing. */
final class PacketMatches {

    private PacketMatches() {
    }

    static List<ExtensionSpec> specs() {
        return List.of(iprange(), addrtype(), length(), hopLimit("ttl", Family.IPV4, "TTL"),
                hopLimit("hl", Family.IPV6, "hop limit"), pkttype(), tos(), dscp(), ecn(), tcpmss(), realm(), cpu());
    }

    // ---- iprange

    /** {@code from[-to]}: literal addresses only; a reversed range is kept (it matches nothing). */
    private static final ValueType ADDRESS_RANGE = Values.of("address-range", "address[-address]", (raw, ctx) -> {
        int dash = raw.indexOf('-');
        String from = dash < 0 ? raw : raw.substring(0, dash);
        String to = dash < 0 ? raw : raw.substring(dash + 1);
        return address(from, ctx.family()) + "-" + address(to, ctx.family());
    });

    private static String address(String text, Family family) throws InvalidValueException {
        byte[] bytes = family == Family.IPV4 ? ipv4(text) : Addresses.parseLiteral(text, family);
        if (bytes == null) {
            throw new InvalidValueException("`" + text + "' is not a literal " + (family == Family.IPV4 ? "IPv4"
                    : "IPv6") + " address (ranges take no names and no /mask)");
        }
        return Addresses.format(bytes);
    }

    /** Dotted parts in any number base; missing trailing parts are zero (xtables_numeric_to_ipaddr). */
    private static byte[] ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length > 4) {
            return null;
        }
        byte[] out = new byte[4];
        try {
            for (int i = 0; i < parts.length; i++) {
                out[i] = (byte) Values.parseUnsigned(parts[i], 0, 255);
            }
        } catch (InvalidValueException e) {
            return null;
        }
        return out;
    }

    private static ExtensionSpec iprange() {
        return ExtensionSpec.match("iprange", "source or destination address within an inclusive range",
                        OptionSpec.of("src-range", "source address range", ADDRESS_RANGE).invertible(),
                        OptionSpec.of("dst-range", "destination address range", ADDRESS_RANGE).invertible())
                .canonicalizedBy((options, context) -> requireAny(options, "match iprange", "--src-range or"
                        + " --dst-range"));
    }

    private static List<Option> requireAny(List<Option> options, String who, String which)
            throws InvalidValueException {
        if (options.isEmpty()) {
            throw new InvalidValueException(who + " needs " + which);
        }
        return options;
    }

    // ---- addrtype

    private static final List<String> ADDRESS_TYPES = List.of("UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST",
            "MULTICAST", "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE");

    private static final ValueType ADDRESS_TYPE_SET =
            Values.wordSet("address types", ADDRESS_TYPES, Map.of(), Values.upperCase());

    private static ExtensionSpec addrtype() {
        return ExtensionSpec.match("addrtype", "routing type of the source or destination address",
                        OptionSpec.of("src-type", "source address types (any of them)", ADDRESS_TYPE_SET).invertible(),
                        OptionSpec.of("dst-type", "destination address types (any of them)", ADDRESS_TYPE_SET)
                                .invertible(),
                        OptionSpec.flag("limit-iface-in", "look the address up on the input interface only"),
                        OptionSpec.flag("limit-iface-out", "look the address up on the output interface only"))
                .canonicalizedBy(PacketMatches::addrtypeCanonical);
    }

    private static List<Option> addrtypeCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        boolean in = has(options, "limit-iface-in");
        boolean out = has(options, "limit-iface-out");
        if (in && out) {
            throw new InvalidValueException("--limit-iface-in and --limit-iface-out cannot be combined");
        }
        if (!has(options, "src-type") && !has(options, "dst-type")) {
            throw new InvalidValueException("match addrtype needs --src-type or --dst-type");
        }
        if (context.ipv6()) {
            refuseIpv6Types(options);
        }
        if (in) {
            MatchValues.requireHook(context, "limit-iface-in", Set.of(Hook.PREROUTING, Hook.INPUT, Hook.FORWARD));
        }
        if (out) {
            MatchValues.requireHook(context, "limit-iface-out", Set.of(Hook.FORWARD, Hook.OUTPUT,
                    Hook.POSTROUTING));
        }
        return options;
    }

    /** Route types IPv6 routing has no lookup for; the kernel refuses them there. */
    private static final List<String> NOT_IN_IPV6 = List.of("BROADCAST", "BLACKHOLE", "PROHIBIT", "THROW", "NAT",
            "XRESOLVE");

    private static void refuseIpv6Types(List<Option> options) throws InvalidValueException {
        for (Option option : options) {
            if (option.args().isEmpty()) {
                continue;
            }
            for (String type : option.arg().split(",")) {
                if (NOT_IN_IPV6.contains(type)) {
                    throw new InvalidValueException("address type " + type + " cannot be matched in IPv6");
                }
            }
        }
    }

    static boolean has(List<Option> options, String name) {
        return options.stream().anyMatch(o -> o.name().equals(name));
    }

    // ---- length, ttl, hl, tcpmss, cpu

    private static ExtensionSpec length() {
        return ExtensionSpec.match("length", "length of the layer-3 packet",
                OptionSpec.of("length", "length or range min:max in bytes", MatchValues.numberRange(65535, true))
                        .invertible().required());
    }

    private static ExtensionSpec hopLimit(String name, Family family, String field) {
        ValueType value = Values.decimal(0, 255);
        return ExtensionSpec.match(name, field + " of the packet",
                        OptionSpec.of(name + "-eq", field + " equal to", value).invertible(),
                        OptionSpec.of(name + "-lt", field + " less than", value),
                        OptionSpec.of(name + "-gt", field + " greater than", value),
                        OptionSpec.of(name, field + " equal to (stored as --" + name + "-eq)", value))
                .onlyFor(family)
                .canonicalizedBy((options, context) -> {
                    if (options.size() != 1) {
                        throw new InvalidValueException("match " + name + " takes exactly one of --" + name
                                + "-eq, --" + name + "-lt and --" + name + "-gt");
                    }
                    Option option = options.get(0);
                    return option.name().equals(name) ? List.of(Option.of(name + "-eq", option.arg())) : options;
                });
    }

    private static ExtensionSpec tcpmss() {
        return ExtensionSpec.match("tcpmss", "MSS option of TCP SYN packets",
                        OptionSpec.of("mss", "MSS value or range min:max", MatchValues.numberRange(65535, false))
                                .invertible().required())
                .canonicalizedBy((options, context) -> {
                    MatchValues.requireProtocol(context, "match tcpmss", Set.of("tcp"));
                    return options;
                });
    }

    private static ExtensionSpec cpu() {
        return ExtensionSpec.match("cpu", "CPU handling the packet",
                OptionSpec.of("cpu", "CPU number", Values.decimal(0, 0xffffffffL)).invertible().required());
    }

    // ---- pkttype

    private static ExtensionSpec pkttype() {
        Map<String, String> words = new LinkedHashMap<>();
        for (String word : List.of("unicast", "broadcast", "multicast", "otherhost", "outgoing")) {
            words.put(word, word);
        }
        words.put("host", "unicast");
        words.put("bcast", "broadcast");
        words.put("mcast", "multicast");
        ValueType choice = Values.choice("packet-type", words);
        ValueType anyCase = Values.of("packet-type", choice.syntax(),
                (raw, ctx) -> choice.canonical(raw.toLowerCase(Locale.ROOT), ctx));
        return ExtensionSpec.match("pkttype", "link-layer packet type",
                OptionSpec.of("pkt-type", "unicast, broadcast, multicast, otherhost or outgoing", anyCase)
                        .invertible().required());
    }

    // ---- tos, dscp, ecn

    private static final Map<String, Integer> TOS_NAMES = Map.of("minimize-delay", 0x10, "maximize-throughput", 0x08,
            "maximize-reliability", 0x04, "minimize-cost", 0x02, "normal-service", 0x00);

    /** {@code value[/mask]} (mask 0xff when left out) or a TOS name (mask 0x3f). */
    private static final ValueType TOS_MASK = Values.of("tos", "value[/mask]|name", (raw, ctx) -> {
        Integer named = TOS_NAMES.get(raw.toLowerCase(Locale.ROOT));
        if (named != null) {
            return String.format("0x%02x/0x3f", named);
        }
        int slash = raw.indexOf('/');
        long value;
        long mask = 0xff;
        try {
            value = Values.parseUnsigned(slash < 0 ? raw : raw.substring(0, slash), 0, 0xff);
            if (slash >= 0) {
                mask = Values.parseUnsigned(raw.substring(slash + 1), 0, 0xff);
            }
        } catch (InvalidValueException e) {
            throw new InvalidValueException("`" + raw + "' is neither value[/mask] (0-255) nor one of Minimize-Delay,"
                    + " Maximize-Throughput, Maximize-Reliability, Minimize-Cost, Normal-Service");
        }
        return String.format("0x%02x/0x%02x", value, mask);
    });

    private static ExtensionSpec tos() {
        return ExtensionSpec.match("tos", "type-of-service byte under a mask",
                OptionSpec.of("tos", "value[/mask] or a TOS name", TOS_MASK).invertible().required());
    }

    private static final Map<String, Integer> DSCP_CLASSES = dscpClasses();

    private static Map<String, Integer> dscpClasses() {
        Map<String, Integer> classes = new LinkedHashMap<>();
        for (int i = 0; i <= 7; i++) {
            classes.put("CS" + i, i << 3);
        }
        for (int klass = 1; klass <= 4; klass++) {
            for (int drop = 1; drop <= 3; drop++) {
                classes.put("AF" + klass + drop, (klass << 3) | (drop << 1));
            }
        }
        classes.put("EF", 0x2e);
        classes.put("BE", 0);
        return classes;
    }

    private static final ValueType DSCP = Values.of("dscp", "0..63",
            (raw, ctx) -> String.format("0x%02x", Values.parseUnsigned(raw, 0, 63)));

    private static final ValueType DSCP_CLASS = Values.of("dscp-class", "CS0..CS7|AF11..AF43|EF|BE", (raw, ctx) -> {
        Integer value = DSCP_CLASSES.get(raw.toUpperCase(Locale.ROOT));
        if (value == null) {
            throw new InvalidValueException("`" + raw + "' is not a DSCP class: use CS0-CS7, AF11-AF43, EF or BE"
                    + io.rampart.model.extension.Suggestions.didYouMean(raw, DSCP_CLASSES.keySet()));
        }
        return String.format("0x%02x", value);
    });

    private static ExtensionSpec dscp() {
        return ExtensionSpec.match("dscp", "DSCP field of the TOS/traffic class byte",
                        OptionSpec.of("dscp", "DSCP value 0-63", DSCP).invertible(),
                        OptionSpec.of("dscp-class", "DSCP class name (stored as --dscp)", DSCP_CLASS).invertible())
                .canonicalizedBy((options, context) -> {
                    if (options.size() != 1) {
                        throw new InvalidValueException("match dscp takes exactly one of --dscp and --dscp-class");
                    }
                    Option option = options.get(0);
                    return List.of(Option.negated("dscp", option.negated(), option.arg()));
                });
    }

    private static ExtensionSpec ecn() {
        return ExtensionSpec.match("ecn", "ECN bits of the IP and TCP headers",
                        OptionSpec.flag("ecn-tcp-ece", "TCP ECN-Echo flag set").invertible(),
                        OptionSpec.flag("ecn-tcp-cwr", "TCP Congestion Window Reduced flag set").invertible(),
                        OptionSpec.of("ecn-ip-ect", "IP ECN codepoint 0-3", Values.decimal(0, 3)).invertible())
                .canonicalizedBy((options, context) -> {
                    requireAny(options, "match ecn", "--ecn-tcp-ece, --ecn-tcp-cwr or --ecn-ip-ect");
                    if (has(options, "ecn-tcp-ece") || has(options, "ecn-tcp-cwr")) {
                        MatchValues.requireProtocol(context, "--ecn-tcp-ece and --ecn-tcp-cwr", Set.of("tcp"));
                    }
                    return options;
                });
    }

    // ---- realm

    private static ExtensionSpec realm() {
        return ExtensionSpec.match("realm", "routing realm of the packet's route",
                        OptionSpec.of("realm", "realm value[/mask] or name from /etc/iproute2/rt_realms",
                                MatchValues.namedValueMask("/etc/iproute2/rt_realms")).invertible().required())
                .onlyFor(Family.IPV4)
                .atHooks(Hook.INPUT, Hook.FORWARD, Hook.OUTPUT, Hook.POSTROUTING);
    }
}
