package io.rampart.model.extensions;

import io.rampart.model.Option;
import io.rampart.model.extension.Canonicalizer;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.MatchSemantics;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.PacketField;
import io.rampart.model.extension.Ports;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import io.rampart.model.value.FlagSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The tcp and udp matches, loaded by {@code -p tcp} / {@code -p udp} or {@code -m}. */
final class TcpUdpMatches {

    private TcpUdpMatches() {
    }

    /** tcp reads its ports itself (xtables_parse_port): numbers in any base or tcp services, not reversed. */
    private static final ValueType TCP_PORTS = Ports.parsedRange("tcp");

    private static final List<String> FLAG_NAMES = FlagSet.TCP;

    /** A comma-separated list of TCP flags, {@code ALL} or {@code NONE}. */
    static final ValueType TCP_FLAGS = Values.typed("tcp-flags", "FIN,SYN,RST,PSH,ACK,URG|ALL|NONE", (raw, ctx) -> {
        int bits = 0;
        for (String part : raw.split(",", -1)) {
            String word = part.toUpperCase(Locale.ROOT);
            if (word.equals("ALL")) {
                bits |= 0x3f;
            } else if (word.equals("NONE")) {
                continue;
            } else {
                int index = FLAG_NAMES.indexOf(word);
                if (index < 0) {
                    throw new InvalidValueException("unknown TCP flag `" + part + "': use FIN, SYN, RST, PSH, ACK, URG,"
                            + " ALL or NONE");
                }
                bits |= 1 << index;
            }
        }
        return new FlagSet(bits, FLAG_NAMES, "NONE").text();
    }, canonical -> FlagSet.parse(canonical, FLAG_NAMES, "NONE"));

    static List<ExtensionSpec> specs() {
        return List.of(tcp(), udp());
    }

    private static ExtensionSpec tcp() {
        return ExtensionSpec.match("tcp", "TCP ports, flags and options",
                        OptionSpec.of("sport", "source port or port range", TCP_PORTS).tests(PacketField.SOURCE_PORT)
                                .alias("source-port").invertible(),
                        OptionSpec.of("dport", "destination port or port range", TCP_PORTS)
                                .alias("destination-port").invertible().tests(PacketField.DESTINATION_PORT),
                        OptionSpec.of("tcp-option", "TCP option number present", Values.decimal(0, 255)).invertible(),
                        OptionSpec.of("tcp-flags", "flags to examine, then those of them that must be set",
                                TCP_FLAGS, TCP_FLAGS).tests(PacketField.TCP_FLAGS).invertible(),
                        OptionSpec.flag("syn", "SYN set, ACK, RST and FIN clear: a connection request"
                                + " (stored as --tcp-flags FIN,SYN,RST,ACK SYN)").invertible())
                .implicitFor("tcp")
                .canonicalizedBy(Canonicalizer.nativeInNfTables(TcpUdpMatches::tcpCanonical))
                .means(MatchSemantics.tests(MatchSemantics.HEADERS_NOT_READ));
    }

    private static List<Option> tcpCanonical(List<Option> options, ValueContext context) throws InvalidValueException {
        List<Option> out = new ArrayList<>();
        boolean flags = false;
        for (Option option : options) {
            if (option.name().equals("syn") || option.name().equals("tcp-flags")) {
                if (flags) {
                    throw new InvalidValueException("--syn and --tcp-flags cannot be combined: --syn is"
                            + " --tcp-flags FIN,SYN,RST,ACK SYN");
                }
                flags = true;
            }
            if (option.name().equals("syn")) {
                out.add(Option.negated("tcp-flags", option.negated(), "FIN,SYN,RST,ACK", "SYN"));
            } else {
                out.add(option);
            }
        }
        return PortRanges.canonical(out, "sport", "dport");
    }

    private static ExtensionSpec udp() {
        return ExtensionSpec.match("udp", "UDP ports",
                        OptionSpec.of("sport", "source port or port range", Ports.PORT_BY_NAME_RANGE)
                                .alias("source-port").invertible().tests(PacketField.SOURCE_PORT),
                        OptionSpec.of("dport", "destination port or port range", Ports.PORT_BY_NAME_RANGE)
                                .alias("destination-port").invertible().tests(PacketField.DESTINATION_PORT))
                .implicitFor("udp")
                .canonicalizedBy(Canonicalizer.nativeInNfTables(
                        (options, context) -> PortRanges.canonical(options, "sport", "dport")))
                .means(MatchSemantics.tests(MatchSemantics.HEADERS_NOT_READ));
    }
}
