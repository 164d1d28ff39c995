package io.rampart.model.extensions;

import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.Option;
import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.Constraint;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.MatchSemantics;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.PacketField;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import io.rampart.model.extension.Words;
import io.rampart.model.value.AddressRange;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
    private static final ValueType ADDRESS_RANGE = Values.typed("address-range", "address[-address]", (raw, ctx) -> {
        int dash = raw.indexOf('-');
        String from = dash < 0 ? raw : raw.substring(0, dash);
        String to = dash < 0 ? raw : raw.substring(dash + 1);
        return address(from, ctx.family()) + "-" + address(to, ctx.family());
    }, PacketMatches::addressRange);

    private static AddressRange addressRange(String canonical) {
        int dash = canonical.indexOf('-');
        Family family = canonical.indexOf(':') >= 0 ? Family.IPV6 : Family.IPV4;
        return new AddressRange(Addresses.parseLiteral(canonical.substring(0, dash), family),
                Addresses.parseLiteral(canonical.substring(dash + 1), family));
    }

    private static String address(String text, Family family) throws InvalidValueException {
        byte[] bytes = family == Family.IPV4 ? Addresses.parseXtablesIpv4(text) : Addresses.parseLiteral(text, family);
        if (bytes == null) {
            throw new InvalidValueException("`" + text + "' is not a literal " + (family == Family.IPV4 ? "IPv4"
                    : "IPv6") + " address (ranges take no names and no /mask)");
        }
        return Addresses.format(bytes);
    }

    private static ExtensionSpec iprange() {
        return ExtensionSpec.match("iprange", "source or destination address within an inclusive range",
                        OptionSpec.of("src-range", "source address range", ADDRESS_RANGE).invertible()
                                .tests(PacketField.SOURCE),
                        OptionSpec.of("dst-range", "destination address range", ADDRESS_RANGE).invertible()
                                .tests(PacketField.DESTINATION))
                .canonicalizedBy((options, context) -> Checks.notEmpty(options, "match iprange", "--src-range or"
                        + " --dst-range"))
                .means(MatchSemantics.tests(MatchSemantics.NOT_READ));
    }

    // ---- addrtype

    private static final List<String> ADDRESS_TYPES = List.of("UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST",
            "MULTICAST", "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE");

    private static final ValueType ADDRESS_TYPE_SET =
            Words.wordSet("address types", ADDRESS_TYPES, Map.of(), Words.upperCase());

    private static ExtensionSpec addrtype() {
        return ExtensionSpec.match("addrtype", "routing type of the source or destination address",
                        OptionSpec.of("src-type", "source address types (any of them)", ADDRESS_TYPE_SET).invertible()
                                .tests(PacketField.SOURCE_TYPE),
                        OptionSpec.of("dst-type", "destination address types (any of them)", ADDRESS_TYPE_SET)
                                .invertible().tests(PacketField.DESTINATION_TYPE),
                        OptionSpec.flag("limit-iface-in", "look the address up on the input interface only")
                                .tests(PacketField.NONE),
                        OptionSpec.flag("limit-iface-out", "look the address up on the output interface only")
                                .tests(PacketField.NONE))
                .canonicalizedBy(PacketMatches::addrtypeCanonical)
                .means(MatchSemantics.tests(MatchSemantics.NOT_READ));
    }

    private static List<Option> addrtypeCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        boolean in = Checks.has(options, "limit-iface-in");
        boolean out = Checks.has(options, "limit-iface-out");
        if (in && out) {
            throw new InvalidValueException("--limit-iface-in and --limit-iface-out cannot be combined");
        }
        if (!Checks.has(options, "src-type") && !Checks.has(options, "dst-type")) {
            throw new InvalidValueException("match addrtype needs --src-type or --dst-type");
        }
        if (context.ipv6()) {
            refuseIpv6Types(options);
        }
        if (in) {
            Checks.requireHook(context, "--limit-iface-in", Hook.RECEIVING);
        }
        if (out) {
            Checks.requireHook(context, "--limit-iface-out", Hook.SENDING);
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

    // ---- length, ttl, hl, tcpmss, cpu

    private static ExtensionSpec length() {
        return ExtensionSpec.match("length", "length of the layer-3 packet",
                OptionSpec.of("length", "length or range min:max in bytes", Values.numberRange(65535, true))
                        .invertible().required().tests(PacketField.LENGTH))
                .means(MatchSemantics.tests(MatchSemantics.NOT_READ));
    }

    private static ExtensionSpec hopLimit(String name, Family family, String field) {
        ValueType value = Values.decimal(0, 255);
        return ExtensionSpec.match(name, field + " of the packet",
                        OptionSpec.of(name + "-eq", field + " equal to", value).tests(PacketField.TTL).invertible(),
                        OptionSpec.of(name + "-lt", field + " less than", value)
                                .tests(PacketField.TTL, Constraint.Comparison.BELOW),
                        OptionSpec.of(name + "-gt", field + " greater than", value)
                                .tests(PacketField.TTL, Constraint.Comparison.ABOVE),
                        OptionSpec.of(name, field + " equal to (stored as --" + name + "-eq)", value)
                                .tests(PacketField.TTL))
                .onlyFor(family)
                .canonicalizedBy((options, context) -> {
                    if (options.size() != 1) {
                        throw new InvalidValueException("match " + name + " takes exactly one of --" + name
                                + "-eq, --" + name + "-lt and --" + name + "-gt");
                    }
                    Option option = options.get(0);
                    return option.name().equals(name) ? List.of(Option.of(name + "-eq", option.arg())) : options;
                })
                .means(MatchSemantics.tests(MatchSemantics.NOT_READ));
    }

    private static ExtensionSpec tcpmss() {
        return ExtensionSpec.match("tcpmss", "MSS option of TCP SYN packets",
                        OptionSpec.of("mss", "MSS value or range min:max", Values.numberRange(65535, false))
                                .invertible().required())
                .canonicalizedBy(Checks.needsProtocol("match tcpmss", "tcp"));
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
        ValueType choice = Words.choice("packet-type", words);
        ValueType anyCase = Values.of("packet-type", choice.syntax(),
                (raw, ctx) -> choice.canonical(raw.toLowerCase(Locale.ROOT), ctx));
        return ExtensionSpec.match("pkttype", "link-layer packet type",
                OptionSpec.of("pkt-type", "unicast, broadcast, multicast, otherhost or outgoing", anyCase)
                        .invertible().required().tests(PacketField.PACKET_TYPE))
                .means(MatchSemantics.tests(MatchSemantics.NOT_READ));
    }

    // ---- tos, dscp, ecn

    private static ExtensionSpec tos() {
        return ExtensionSpec.match("tos", "type-of-service byte under a mask",
                OptionSpec.of("tos", "value[/mask] or a TOS name", DiffServ.TOS_VALUE_MASK).invertible().required()
                        .tests(PacketField.TOS))
                .means(MatchSemantics.tests(MatchSemantics.NOT_READ));
    }

    private static ExtensionSpec dscp() {
        return ExtensionSpec.match("dscp", "DSCP field of the TOS/traffic class byte",
                        OptionSpec.of("dscp", "DSCP value 0-63", DiffServ.DSCP).tests(PacketField.DSCP).invertible(),
                        OptionSpec.of("dscp-class", "DSCP class name (stored as --dscp)", DiffServ.DSCP_CLASS)
                                .invertible().tests(PacketField.DSCP))
                .canonicalizedBy((options, context) -> {
                    if (options.size() != 1) {
                        throw new InvalidValueException("match dscp takes exactly one of --dscp and --dscp-class");
                    }
                    Option option = options.get(0);
                    return List.of(Option.negated("dscp", option.negated(), option.arg()));
                })
                .means(MatchSemantics.tests(MatchSemantics.NOT_READ));
    }

    private static ExtensionSpec ecn() {
        return ExtensionSpec.match("ecn", "ECN bits of the IP and TCP headers",
                        OptionSpec.flag("ecn-tcp-ece", "TCP ECN-Echo flag set").invertible()
                                .tests(PacketField.TCP_ECE),
                        OptionSpec.flag("ecn-tcp-cwr", "TCP Congestion Window Reduced flag set").invertible()
                                .tests(PacketField.TCP_CWR),
                        OptionSpec.of("ecn-ip-ect", "IP ECN codepoint 0-3", Values.decimal(0, 3)).invertible()
                                .tests(PacketField.ECN))
                .canonicalizedBy((options, context) -> {
                    Checks.notEmpty(options, "match ecn", "--ecn-tcp-ece, --ecn-tcp-cwr or --ecn-ip-ect");
                    if (Checks.has(options, "ecn-tcp-ece") || Checks.has(options, "ecn-tcp-cwr")) {
                        Checks.requireProtocol(context, "--ecn-tcp-ece and --ecn-tcp-cwr", "tcp");
                    }
                    return options;
                })
                // The kernel refuses the TCP flags without -p tcp (not negated), so only TCP packets meet them.
                .means(MatchSemantics.tests(MatchSemantics.NOT_READ));
    }

    // ---- realm

    private static ExtensionSpec realm() {
        return ExtensionSpec.match("realm", "routing realm of the packet's route",
                        OptionSpec.of("realm", "realm value[/mask] or name from /etc/iproute2/rt_realms",
                                Iproute2Names.valueMask("rt_realms")).invertible().required())
                .onlyFor(Family.IPV4)
                .atHooks(Hook.INPUT, Hook.FORWARD, Hook.OUTPUT, Hook.POSTROUTING);
    }
}
