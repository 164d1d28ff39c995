package io.rampart.model.extensions;

import static io.rampart.model.extensions.TargetOptions.atLeastOne;
import static io.rampart.model.extensions.TargetOptions.atMostOne;

import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.Option;
import io.rampart.model.Table;
import io.rampart.model.extension.Canonicalizer;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.Suggestions;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Targets that rewrite IP or TCP header fields: TOS, DSCP, TTL, HL and TCPMSS. */
final class HeaderTargets {

    private HeaderTargets() {
    }

    /** The TOS names iptables knows; a name stands for its value within the low six bits (mask 0x3f). */
    private static final Map<String, Integer> TOS_NAMES = Map.of(
            "minimize-delay", 0x10, "maximize-throughput", 0x08, "maximize-reliability", 0x04,
            "minimize-cost", 0x02, "normal-service", 0x00);

    /** DiffServ class names and their code points, in the order iptables tries them. */
    private static final Map<String, Integer> DSCP_CLASSES = dscpClasses();

    private static Map<String, Integer> dscpClasses() {
        Map<String, Integer> classes = new LinkedHashMap<>();
        for (int i = 0; i < 8; i++) {
            classes.put("CS" + i, i << 3);
        }
        classes.put("BE", 0);
        for (int af = 1; af <= 4; af++) {
            for (int drop = 1; drop <= 3; drop++) {
                classes.put("AF" + af + drop, (af << 3) | (drop << 1));
            }
        }
        classes.put("EF", 0x2e);
        return classes;
    }

    /** {@code value[/mask]} numbers up to 255 or a TOS name, printed {@code 0xVV/0xMM}. */
    private static final ValueType TOS_VALUE_MASK = Values.of("tos", "value[/mask]|name", (raw, ctx) -> {
        StrtoulPrefix number = StrtoulPrefix.read(raw, 0);
        if (number == null || number.value() > 0xff) {
            Integer named = TOS_NAMES.get(raw.toLowerCase(Locale.ROOT));
            if (named == null) {
                throw new InvalidValueException("`" + raw + "' is neither a number 0-255 nor a TOS name ("
                        + "Minimize-Delay, Maximize-Throughput, Maximize-Reliability, Minimize-Cost, Normal-Service)"
                        + Suggestions.didYouMean(raw, List.of("Minimize-Delay", "Maximize-Throughput",
                        "Maximize-Reliability", "Minimize-Cost", "Normal-Service")));
            }
            return tos(named, 0x3f);
        }
        int mask = 0xff;
        int end = number.end();
        if (end < raw.length() && raw.charAt(end) == '/') {
            StrtoulPrefix maskNumber = StrtoulPrefix.read(raw, end + 1);
            if (maskNumber == null || maskNumber.value() > 0xff) {
                throw new InvalidValueException("illegal TOS mask in `" + raw + "': use a number 0-255");
            }
            mask = (int) maskNumber.value();
            end = maskNumber.end();
        }
        if (end != raw.length()) {
            throw new InvalidValueException("illegal TOS value `" + raw + "': write VALUE or VALUE/MASK");
        }
        return tos((int) number.value(), mask);
    });

    private static String tos(int value, int mask) {
        return String.format("0x%02x/0x%02x", value, mask);
    }

    /** A DiffServ class name; like iptables, any word that starts with a class name is that class. */
    private static final ValueType DSCP_CLASS = Values.of("dscp-class", "CS0-7|BE|AF11-43|EF", (raw, ctx) -> {
        for (Map.Entry<String, Integer> entry : DSCP_CLASSES.entrySet()) {
            if (raw.regionMatches(true, 0, entry.getKey(), 0, entry.getKey().length())) {
                return String.format("0x%02x", entry.getValue());
            }
        }
        throw new InvalidValueException("`" + raw + "' is not a DiffServ class (CS0-CS7, BE, AF11-AF43, EF)"
                + Suggestions.didYouMean(raw, DSCP_CLASSES.keySet()));
    });

    private static final ValueType BYTE = Values.decimal(0, 255);
    private static final ValueType NONZERO_BYTE = Values.decimal(1, 255);

    /** The largest MSS: 65535 minus the IP header (20 bytes for IPv4, 40 for IPv6). */
    private static final ValueType MSS = Values.of("integer", "0..65515 (IPv6: 0..65495)",
            (raw, ctx) -> Long.toString(Values.parseUnsigned(raw, 0, ctx.ipv6() ? 65495 : 65515)));

    static List<ExtensionSpec> specs() {
        return List.of(tos(), dscp(), hopLimit("TTL", "ttl", Family.IPV4), hopLimit("HL", "hl", Family.IPV6),
                tcpmss());
    }

    private static ExtensionSpec tos() {
        return ExtensionSpec.target("TOS", "change the IPv4 TOS or IPv6 traffic class field",
                        OptionSpec.of("set-tos", "set the mask's bits to the value (a name sets the low six bits)",
                                TOS_VALUE_MASK),
                        OptionSpec.of("and-tos", "keep only the given bits", BYTE),
                        OptionSpec.of("or-tos", "set the given bits", BYTE),
                        OptionSpec.of("xor-tos", "flip the given bits", BYTE))
                .inTables(Table.MANGLE)
                .canonicalizedBy((options, context) -> {
                    String[] operations = {"set-tos", "and-tos", "or-tos", "xor-tos"};
                    atMostOne(options, "TOS", operations);
                    atLeastOne(options, "TOS", operations);
                    Option operation = options.get(0);
                    if (operation.name().equals("set-tos")) {
                        return options;
                    }
                    int bits = Integer.parseInt(operation.arg());
                    String kept = switch (operation.name()) {
                        case "and-tos" -> tos(0, ~bits & 0xff);
                        case "or-tos" -> tos(bits, bits);
                        default -> tos(bits, 0);
                    };
                    return List.of(Option.of("set-tos", kept));
                });
    }

    private static ExtensionSpec dscp() {
        return ExtensionSpec.target("DSCP", "set the DiffServ code point of the packet",
                        OptionSpec.of("set-dscp", "the code point, 0-63",
                                Values.of("integer", "0..63",
                                        (raw, ctx) -> String.format("0x%02x", Values.parseUnsigned(raw, 0, 63)))),
                        OptionSpec.of("set-dscp-class", "the code point of a class (stored as --set-dscp)",
                                DSCP_CLASS))
                .inTables(Table.MANGLE)
                .canonicalizedBy((options, context) -> {
                    atMostOne(options, "DSCP", "set-dscp", "set-dscp-class");
                    atLeastOne(options, "DSCP", "set-dscp", "set-dscp-class");
                    return List.of(Option.of("set-dscp", options.get(0).arg()));
                });
    }

    /** TTL (IPv4) and HL (IPv6): set, decrease or increase the hop counter. */
    private static ExtensionSpec hopLimit(String name, String prefix, Family family) {
        String field = family == Family.IPV4 ? "TTL" : "hop limit";
        String[] operations = {prefix + "-set", prefix + "-dec", prefix + "-inc"};
        return ExtensionSpec.target(name, "change the " + field + " of the packet",
                        OptionSpec.of(operations[0], "set the " + field + " to this value", BYTE),
                        OptionSpec.of(operations[1], "decrease the " + field + " by this much", NONZERO_BYTE),
                        OptionSpec.of(operations[2], "increase the " + field + " by this much", NONZERO_BYTE))
                .onlyFor(family)
                .inTables(Table.MANGLE)
                .canonicalizedBy((options, context) -> {
                    atMostOne(options, name, operations);
                    atLeastOne(options, name, operations);
                    return options;
                });
    }

    private static final Set<Hook> CLAMP_HOOKS = Set.of(Hook.FORWARD, Hook.OUTPUT, Hook.POSTROUTING);

    private static ExtensionSpec tcpmss() {
        return ExtensionSpec.target("TCPMSS", "change the maximum segment size option of TCP SYN packets",
                        OptionSpec.of("set-mss", "set the MSS to this value", MSS),
                        OptionSpec.flag("clamp-mss-to-pmtu", "set the MSS to the path MTU less the IP and TCP headers"
                                + " (FORWARD, OUTPUT and POSTROUTING only)"))
                .canonicalizedBy(Canonicalizer.inGivenOrder((options, context) -> {
                    atLeastOne(options, "TCPMSS", "set-mss", "clamp-mss-to-pmtu");
                    TargetOptions.needsProtocol(context, "TCPMSS", "tcp");
                    // Both may be given: the later one wins.
                    Option last = options.get(options.size() - 1);
                    if (last.name().equals("clamp-mss-to-pmtu")
                            && context.hookIfBuiltin().filter(hook -> !CLAMP_HOOKS.contains(hook)).isPresent()) {
                        throw new InvalidValueException("TCPMSS --clamp-mss-to-pmtu only works in FORWARD, OUTPUT"
                                + " and POSTROUTING, not in " + context.hook());
                    }
                    return List.of(last);
                }));
    }
}
