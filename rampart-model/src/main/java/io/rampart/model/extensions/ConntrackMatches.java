package io.rampart.model.extensions;

import io.rampart.model.Option;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.MatchSemantics;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.PacketField;
import io.rampart.model.extension.Ports;
import io.rampart.model.extension.Quoting;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import io.rampart.model.extension.Words;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Matches on the connection-tracking entry of a packet: conntrack, state, helper, ipvs and connlabel. */
final class ConntrackMatches {

    private ConntrackMatches() {
    }

    /** The order iptables tries abbreviated state words in, and the order iptables-save prints them. */
    private static final List<String> STATE_PARSE_ORDER =
            List.of("INVALID", "NEW", "ESTABLISHED", "RELATED", "UNTRACKED", "SNAT", "DNAT");
    private static final List<String> STATE_PRINT_ORDER =
            List.of("INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED", "SNAT", "DNAT");

    private static final ValueType CT_STATES =
            Words.abbreviatedWordSet("ctstate", STATE_PARSE_ORDER, STATE_PRINT_ORDER, null);

    private static final ValueType STATES = Words.abbreviatedWordSet("state",
            STATE_PARSE_ORDER.subList(0, 5), List.of("INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED"), null);

    private static final List<String> STATUS_WORDS = List.of("EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED");

    /** NONE is tried first and sets no bit: it is printed only when nothing else is set. */
    private static final ValueType CT_STATUSES = Words.abbreviatedWordSet("ctstatus",
            List.of("NONE", "EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED"), STATUS_WORDS, "NONE");

    private static final ValueType DIRECTION = Words.upperCaseChoice("direction", "ORIGINAL", "REPLY");

    static List<ExtensionSpec> specs() {
        return List.of(conntrack(), state(), helper(), ipvs(), connlabel());
    }

    private static ExtensionSpec conntrack() {
        List<OptionSpec> options = new ArrayList<>(List.of(
                OptionSpec.of("ctstate", "connection states, any of them (abbreviations allowed)", CT_STATES)
                        .invertible().tests(PacketField.CT_STATE),
                OptionSpec.of("ctproto", "layer-4 protocol of the connection (kept as its number)",
                        TupleValues.PROTOCOL_NUMBER).tests(PacketField.CT_PROTOCOL).invertible()));
        options.addAll(tupleOptions());
        options.addAll(List.of(
                OptionSpec.of("ctstatus", "connection status bits, any of them, or NONE", CT_STATUSES).invertible(),
                OptionSpec.of("ctexpire", "remaining lifetime in seconds, one value or an inclusive range",
                        Values.numberRange(CNumbers.UINT32_MAX, true)).invertible(),
                OptionSpec.of("ctdir", "only packets flowing in this direction of the connection", DIRECTION)
                        .tests(PacketField.CT_DIRECTION)));
        return ExtensionSpec.match("conntrack", "the packet's connection-tracking state, tuple, status and lifetime",
                        options.toArray(OptionSpec[]::new))
                .canonicalizedBy((given, context) -> Checks.notEmpty(given, "match conntrack", "at least one option"))
                .means(MatchSemantics.tests(MatchSemantics.CONNECTION_NOT_READ));
    }

    /** {@code --ctorigsrc} to {@code --ctrepldstport}, in save order: the four addresses, then the four ports. */
    private static List<OptionSpec> tupleOptions() {
        List<OptionSpec> out = new ArrayList<>();
        for (boolean port : new boolean[] {false, true}) {
            for (String direction : List.of("orig", "repl")) {
                for (String side : List.of("src", "dst")) {
                    String help = (side.equals("src") ? "source " : "destination ")
                            + (port ? "port or range" : "address") + " of the "
                            + (direction.equals("orig") ? "original" : "reply") + " direction";
                    out.add(OptionSpec.of("ct" + direction + side + (port ? "port" : ""), help,
                            port ? TupleValues.PORT_RANGE : TupleValues.HOST_MASK).invertible()
                            .tests(PacketField.valueOf("CT_" + (direction.equals("orig") ? "ORIGINAL" : "REPLY")
                                    + (side.equals("src") ? "_SOURCE" : "_DESTINATION") + (port ? "_PORT" : ""))));
                }
            }
        }
        return out;
    }

    private static ExtensionSpec state() {
        return ExtensionSpec.match("state", "the packet's connection-tracking state (a subset of conntrack)",
                OptionSpec.of("state", "connection states, any of them (abbreviations allowed)", STATES)
                        .invertible().required().tests(PacketField.CT_STATE))
                .means(MatchSemantics.tests(MatchSemantics.CONNECTION_NOT_READ));
    }

    private static ExtensionSpec helper() {
        return ExtensionSpec.match("helper", "packets of connections an expectation helper created or follows",
                OptionSpec.of("helper", "helper name, optionally with -PORT (the kernel keeps 29 bytes)",
                        Values.truncatedText(29)).invertible().required());
    }

    private static ExtensionSpec ipvs() {
        return ExtensionSpec.match("ipvs", "properties of connections the IP virtual server handles",
                        OptionSpec.flag("ipvs", "the packet belongs to an IPVS connection").invertible(),
                        OptionSpec.of("vproto", "layer-4 protocol of the virtual service (kept as its number)",
                                TupleValues.PROTOCOL_NUMBER).invertible(),
                        OptionSpec.of("vaddr", "virtual service address", TupleValues.HOST_MASK).invertible(),
                        OptionSpec.of("vport", "virtual service port", Ports.PORT).invertible(),
                        OptionSpec.of("vdir", "only packets flowing in this direction of the connection", DIRECTION),
                        OptionSpec.of("vmethod", "forwarding method of the connection",
                                Words.upperCaseChoice("method", "GATE", "IPIP", "MASQ")).invertible(),
                        OptionSpec.of("vportctl", "virtual port of the controlling connection (e.g. 21 for FTP)",
                                Ports.PORT).invertible())
                .canonicalizedBy(ConntrackMatches::ipvsCanonical);
    }

    /** Every option but {@code --ipvs} implies {@code --ipvs}, which the kernel then prints first. */
    private static List<Option> ipvsCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        Checks.notEmpty(options, "match ipvs", "at least one option");
        if (options.get(0).name().equals("ipvs") && options.size() == 1) {
            return options;
        }
        List<Option> out = new ArrayList<>();
        if (options.get(0).name().equals("ipvs")) {
            if (options.get(0).negated()) {
                throw new InvalidValueException("`! --ipvs' cannot be combined with other ipvs options");
            }
        } else {
            out.add(Option.of("ipvs"));
        }
        out.addAll(options);
        return out;
    }

    // ---- connlabel

    private static final int MAX_LABEL = 127;

    /**
     * A label by bit number (0-127, any base) or by a name of {@code /etc/xtables/connlabel.conf};
     * printed quoted, by its name when the file names the bit.
     */
    private static final ValueType LABEL = Values.quoted("label", "name|bit", Quoting.ALWAYS, (raw, ctx) -> {
        Map<Integer, String> names = ctx.names().connectionLabels();
        CNumbers.Read read = CNumbers.strtoul(raw, 0, 0);
        Optional<Integer> bit = read.found() && read.end() == raw.length() && !read.overflow()
                && Long.compareUnsigned(read.value(), MAX_LABEL) <= 0 ? Optional.of((int) read.value())
                : names.entrySet().stream().filter(e -> e.getValue().equals(raw)).map(Map.Entry::getKey).findFirst();
        if (raw.isEmpty()) {
            throw new InvalidValueException("Argument must have a minimum length of 1 characters");
        }
        if (bit.isEmpty()) {
            throw new InvalidValueException("label `" + raw + "' not found or invalid value (a bit 0-" + MAX_LABEL
                    + ", or a name in /etc/xtables/connlabel.conf)");
        }
        return names.getOrDefault(bit.get(), Integer.toString(bit.get()));
    });

    private static ExtensionSpec connlabel() {
        return ExtensionSpec.match("connlabel", "a label bit of the connection",
                OptionSpec.of("label", "the label is set on the connection", LABEL).invertible().required(),
                OptionSpec.flag("set", "set the label on the connection when the rule is reached"));
    }
}
