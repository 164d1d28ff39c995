package io.rampart.model.extensions;

import static io.rampart.model.extensions.Checks.atLeastOne;
import static io.rampart.model.extensions.Checks.atMostOne;

import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.Option;
import io.rampart.model.Table;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.Canonicalizer;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.TargetSemantics;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.Suggestions;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.value.ValueMask;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.StringJoiner;
import java.util.TreeSet;

/** Targets that rewrite IP or TCP header fields: TOS, DSCP, TTL, HL, TCPMSS, ECN and TCPOPTSTRIP. */
final class HeaderTargets {

    private HeaderTargets() {
    }

    private static final ValueType BYTE = Values.decimal(0, 255);
    private static final ValueType NONZERO_BYTE = Values.decimal(1, 255);

    /** The largest MSS: 65535 minus the IP header (20 bytes for IPv4, 40 for IPv6). */
    private static final ValueType MSS = Values.of("integer", "0..65515 (IPv6: 0..65495)",
            (raw, ctx) -> Long.toString(CNumbers.xtables(raw, 0, ctx.ipv6() ? 65495 : 65515)));

    static List<ExtensionSpec> specs() {
        return List.of(tos(), dscp(), hopLimit("TTL", "ttl", Family.IPV4), hopLimit("HL", "hl", Family.IPV6),
                tcpmss(), ecn(), tcpoptstrip());
    }

    private static ExtensionSpec tos() {
        return ExtensionSpec.target("TOS", "change the IPv4 TOS or IPv6 traffic class field",
                        OptionSpec.of("set-tos", "set the mask's bits to the value (a name sets the low six bits)",
                                DiffServ.TOS_VALUE_MASK),
                        OptionSpec.of("and-tos", "keep only the given bits", BYTE),
                        OptionSpec.of("or-tos", "set the given bits", BYTE),
                        OptionSpec.of("xor-tos", "flip the given bits", BYTE))
                .inTables(Table.MANGLE)
                .does(options -> new TargetSemantics.RewriteTos(Checks.value(options, "set-tos", ValueMask.class)))
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
                        case "and-tos" -> DiffServ.tos(0, ~bits & 0xff);
                        case "or-tos" -> DiffServ.tos(bits, bits);
                        default -> DiffServ.tos(bits, 0);
                    };
                    return List.of(Option.of("set-tos", kept));
                });
    }

    private static ExtensionSpec dscp() {
        return ExtensionSpec.target("DSCP", "set the DiffServ code point of the packet",
                        OptionSpec.of("set-dscp", "the code point, 0-63", DiffServ.DSCP),
                        OptionSpec.of("set-dscp-class", "the code point of a class (stored as --set-dscp)",
                                DiffServ.DSCP_CLASS))
                .inTables(Table.MANGLE)
                // The code point is the TOS byte's upper six bits.
                .does(options -> new TargetSemantics.RewriteTos(ValueMask.tos(
                        Checks.number(options, "set-dscp", 0) << 2, 0xfc)))
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
                .does(options -> {
                    TargetSemantics.Change[] changes = TargetSemantics.Change.values();
                    for (int i = 0; i < operations.length; i++) {
                        if (Checks.has(options, operations[i])) {
                            return new TargetSemantics.HopLimit(changes[i], (int) Checks.number(options, operations[i], 0));
                        }
                    }
                    throw new IllegalArgumentException("-j " + name + " without a value");
                })
                .canonicalizedBy((options, context) -> {
                    atMostOne(options, name, operations);
                    atLeastOne(options, name, operations);
                    return options;
                });
    }

    private static ExtensionSpec tcpmss() {
        return ExtensionSpec.target("TCPMSS", "change the maximum segment size option of TCP SYN packets",
                        OptionSpec.of("set-mss", "set the MSS to this value", MSS),
                        OptionSpec.flag("clamp-mss-to-pmtu", "set the MSS to the path MTU less the IP and TCP headers"
                                + " (FORWARD, OUTPUT and POSTROUTING only)"))
                .does(new TargetSemantics.Continues("the TCP MSS option"))
                .canonicalizedBy(Canonicalizer.inGivenOrder((options, context) -> {
                    atLeastOne(options, "TCPMSS", "set-mss", "clamp-mss-to-pmtu");
                    Checks.requireProtocol(context, "TCPMSS", "tcp");
                    // Both may be given: the later one wins.
                    Option last = options.get(options.size() - 1);
                    if (last.name().equals("clamp-mss-to-pmtu")) {
                        Checks.requireHook(context, "TCPMSS --clamp-mss-to-pmtu", Hook.SENDING);
                    }
                    return List.of(last);
                }));
    }

    private static ExtensionSpec ecn() {
        return ExtensionSpec.target("ECN", "change the explicit congestion notification bits of the packet",
                        OptionSpec.flag("ecn-tcp-remove", "clear the TCP ECE and CWR flags (needs -p tcp)"),
                        OptionSpec.of("ecn-tcp-ece", "set the TCP ECE flag to 0 or 1 (needs -p tcp)",
                                Values.decimal(0, 1)),
                        OptionSpec.of("ecn-tcp-cwr", "set the TCP CWR flag to 0 or 1 (needs -p tcp)",
                                Values.decimal(0, 1)),
                        OptionSpec.of("ecn-ip-ect", "set the IP header's ECN field to 0-3", Values.decimal(0, 3)))
                .onlyFor(Family.IPV4)
                .inTables(Table.MANGLE)
                .does(HeaderTargets::ecnRewrite)
                .canonicalizedBy(Canonicalizer.inGivenOrder(HeaderTargets::ecnCanonical));
    }

    /** TCP's ECE and CWR flags. */
    private static final int ECE = 0x40;
    private static final int CWR = 0x80;

    /** The ECN field is the TOS byte's two low bits; --ecn-tcp-remove sets ECE and CWR to 0 (ipt_ECN). */
    private static TargetSemantics ecnRewrite(List<Option> options) {
        long ect = Checks.number(options, "ecn-ip-ect", -1);
        boolean remove = Checks.has(options, "ecn-tcp-remove");
        long ece = remove ? 0 : Checks.number(options, "ecn-tcp-ece", -1);
        long cwr = remove ? 0 : Checks.number(options, "ecn-tcp-cwr", -1);
        long flags = (ece == 1 ? ECE : 0) | (cwr == 1 ? CWR : 0);
        long flagsMask = (ece >= 0 ? ECE : 0) | (cwr >= 0 ? CWR : 0);
        return new TargetSemantics.RewriteEcn(ect < 0 ? ValueMask.tos(0, 0) : ValueMask.tos(ect, 3),
                ValueMask.tos(flags, flagsMask));
    }

    /**
     * Replays the options in the order given, as iptables does: --ecn-tcp-remove sets the operation
     * to "set ECE and CWR to 0" and so drops an --ecn-ip-ect before it. The kernel keeps exactly
     * that operation as --ecn-tcp-remove.
     */
    private static List<Option> ecnCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        atLeastOne(options, "ECN", "ecn-tcp-remove", "ecn-tcp-ece", "ecn-tcp-cwr", "ecn-ip-ect");
        atMostOne(options, "ECN", "ecn-tcp-remove", "ecn-tcp-ece");
        atMostOne(options, "ECN", "ecn-tcp-remove", "ecn-tcp-cwr");
        String ece = null;
        String cwr = null;
        String ect = null;
        for (Option option : options) {
            switch (option.name()) {
                case "ecn-tcp-remove" -> {
                    ece = "0";
                    cwr = "0";
                    ect = null;
                }
                case "ecn-tcp-ece" -> ece = option.arg();
                case "ecn-tcp-cwr" -> cwr = option.arg();
                default -> ect = option.arg();
            }
        }
        if (ece != null || cwr != null) {
            Checks.requireProtocol(context, "ECN --ecn-tcp-*", "tcp");
        }
        if ("0".equals(ece) && "0".equals(cwr) && ect == null) {
            return List.of(Option.of("ecn-tcp-remove"));
        }
        List<Option> out = new ArrayList<>();
        if (ece != null) {
            out.add(Option.of("ecn-tcp-ece", ece));
        }
        if (cwr != null) {
            out.add(Option.of("ecn-tcp-cwr", cwr));
        }
        if (ect != null) {
            out.add(Option.of("ecn-ip-ect", ect));
        }
        return out;
    }

    /** TCP option kinds by the names TCPOPTSTRIP knows. */
    private static final Map<String, Integer> TCP_OPTION_NAMES = Map.of("wscale", 3, "mss", 2, "sack-permitted", 4,
            "sack", 5, "timestamp", 8, "md5", 19);

    /** A comma list of TCP option kinds (2-255) or names, each once; the kernel keeps a bitmap, printed by number. */
    private static final ValueType TCP_OPTIONS = Values.of("tcp-options",
            "kind[,kind...] (2-255 or wscale, mss, sack-permitted, sack, timestamp, md5)", (raw, ctx) -> {
                boolean[] strip = new boolean[256];
                for (String part : raw.split(",", -1)) {
                    Integer kind = TCP_OPTION_NAMES.get(part);
                    if (kind == null) {
                        OptionalLong number = CNumbers.xtablesWhole(part, 0, 255);
                        if (number.isEmpty()) {
                            throw new InvalidValueException("bad TCP option `" + part + "': a kind 2-255 or one of "
                                    + String.join(", ", new TreeSet<>(TCP_OPTION_NAMES.keySet()))
                                    , Suggestions.hint(part, TCP_OPTION_NAMES.keySet()));
                        }
                        kind = (int) number.getAsLong();
                    }
                    if (kind < 2) {
                        throw new InvalidValueException("TCP option kinds 0 and 1 (end, no-op) cannot be stripped");
                    }
                    if (strip[kind]) {
                        throw new InvalidValueException("TCP option `" + part + "' (kind " + kind + ") given twice");
                    }
                    strip[kind] = true;
                }
                StringJoiner kinds = new StringJoiner(",");
                for (int kind = 2; kind < strip.length; kind++) {
                    if (strip[kind]) {
                        kinds.add(Integer.toString(kind));
                    }
                }
                return kinds.toString();
            });

    private static ExtensionSpec tcpoptstrip() {
        return ExtensionSpec.target("TCPOPTSTRIP", "remove options from the TCP header (needs -p tcp)",
                        OptionSpec.of("strip-options", "the options to remove", TCP_OPTIONS))
                .inTables(Table.MANGLE)
                .does(new TargetSemantics.Continues("TCP options"))
                .canonicalizedBy(Checks.needsProtocol("TCPOPTSTRIP", "tcp"));
    }
}
