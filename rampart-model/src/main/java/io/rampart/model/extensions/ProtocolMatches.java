package io.rampart.model.extensions;

import io.rampart.model.Family;
import io.rampart.model.Option;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.MatchSemantics;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.PacketField;
import io.rampart.model.extension.Ports;
import io.rampart.model.extension.Suggestions;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import io.rampart.model.value.IcmpType;
import io.rampart.model.value.Ranges;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The sctp, dccp, icmp, icmp6, mh and multiport matches: layer-4 header fields of one protocol. */
final class ProtocolMatches {

    private ProtocolMatches() {
    }

    static List<ExtensionSpec> specs() {
        return List.of(sctp(), dccp(), icmp(), icmp6(), mh(), multiport());
    }

    // ---- sctp

    /** SCTP chunk names in iptables' table order, with the flag letters each may carry (bit 7 first). */
    private record Chunk(String name, int type, String flags) {
    }

    private static final List<Chunk> CHUNKS = List.of(
            new Chunk("DATA", 0, "----IUBE"), new Chunk("INIT", 1, "--------"), new Chunk("INIT_ACK", 2, "--------"),
            new Chunk("SACK", 3, "--------"), new Chunk("HEARTBEAT", 4, "--------"),
            new Chunk("HEARTBEAT_ACK", 5, "--------"), new Chunk("ABORT", 6, "-------T"),
            new Chunk("SHUTDOWN", 7, "--------"), new Chunk("SHUTDOWN_ACK", 8, "--------"),
            new Chunk("ERROR", 9, "--------"), new Chunk("COOKIE_ECHO", 10, "--------"),
            new Chunk("COOKIE_ACK", 11, "--------"), new Chunk("ECN_ECNE", 12, "--------"),
            new Chunk("ECN_CWR", 13, "--------"), new Chunk("SHUTDOWN_COMPLETE", 14, "-------T"),
            new Chunk("I_DATA", 64, "----IUBE"), new Chunk("RE_CONFIG", 130, "--------"),
            new Chunk("PAD", 132, "--------"), new Chunk("ASCONF", 193, "--------"),
            new Chunk("ASCONF_ACK", 128, "--------"), new Chunk("FORWARD_TSN", 192, "--------"),
            new Chunk("I_FORWARD_TSN", 194, "--------"));

    /** An SCTP port or range {@code a:b}: numbers, or services of sctp; not reversed. */
    private static final ValueType SCTP_PORTS = Ports.parsedRange("sctp");

    private static final ValueType CHUNK_MATCH = Values.of("chunk-match", "any|all|only", (raw, ctx) -> {
        String word = raw.toLowerCase(Locale.ROOT);
        if (!List.of("any", "all", "only").contains(word)) {
            throw new InvalidValueException("`" + raw + "' is not one of any, all, only");
        }
        return word;
    });

    /** Chunk names with optional {@code :flags}, or ALL / NONE; printed in chunk-type order. */
    private static final ValueType CHUNK_LIST = Values.of("chunks", "CHUNK[:flags][,...]|ALL|NONE", (raw, ctx) -> {
        if (raw.equalsIgnoreCase("ALL") || raw.equalsIgnoreCase("NONE")) {
            return raw.toUpperCase(Locale.ROOT);
        }
        boolean[] present = new boolean[CHUNKS.size()];
        int[] flagMask = new int[CHUNKS.size()];
        int[] flagSet = new int[CHUNKS.size()];
        if (raw.startsWith("-") || raw.startsWith("!")) {
            throw new InvalidValueException("--chunk-types needs two arguments: any|all|only and the chunks");
        }
        for (String part : raw.split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            int colon = part.indexOf(':');
            String name = colon < 0 ? part : part.substring(0, colon);
            int index = chunkIndex(name);
            present[index] = true;
            String flags = colon < 0 ? "" : part.substring(colon + 1);
            for (char letter : flags.toCharArray()) {
                int position = CHUNKS.get(index).flags().indexOf(Character.toUpperCase(letter));
                if (position < 0) {
                    throw new InvalidValueException("flag `" + letter + "' is not valid for chunk "
                            + CHUNKS.get(index).name() + validFlags(CHUNKS.get(index)));
                }
                int bit = 1 << (7 - position);
                flagMask[index] |= bit;
                if (Character.isUpperCase(letter)) {
                    flagSet[index] |= bit;
                }
            }
        }
        return formatChunks(present, flagMask, flagSet);
    });

    private static int chunkIndex(String name) throws InvalidValueException {
        for (int i = 0; i < CHUNKS.size(); i++) {
            if (CHUNKS.get(i).name().equalsIgnoreCase(name)) {
                return i;
            }
        }
        throw new InvalidValueException("unknown sctp chunk `" + name + "'"
                , Suggestions.hint(name, CHUNKS.stream().map(Chunk::name).toList()));
    }

    private static String validFlags(Chunk chunk) {
        String letters = chunk.flags().replace("-", "");
        return letters.isEmpty() ? " (it takes no flags)" : " (use " + letters + ", lower case for clear)";
    }

    private static String formatChunks(boolean[] present, int[] flagMask, int[] flagSet) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < CHUNKS.size(); i++) {
            if (present[i]) {
                order.add(i);
            }
        }
        if (order.isEmpty()) {
            return "NONE";
        }
        order.sort((a, b) -> Integer.compare(CHUNKS.get(a).type(), CHUNKS.get(b).type()));
        List<String> out = new ArrayList<>();
        for (int index : order) {
            Chunk chunk = CHUNKS.get(index);
            StringBuilder text = new StringBuilder(chunk.name());
            // iptables files flags under the table index; they print only where it equals the chunk type.
            if (flagMask[index] != 0 && index == chunk.type()) {
                text.append(':');
                for (int bit = 7; bit >= 0; bit--) {
                    if ((flagMask[index] & (1 << bit)) != 0) {
                        char letter = chunk.flags().charAt(7 - bit);
                        text.append((flagSet[index] & (1 << bit)) != 0 ? letter : Character.toLowerCase(letter));
                    }
                }
            }
            out.add(text.toString());
        }
        return String.join(",", out);
    }

    // ---- dccp

    /** DCCP packet types in the order of their type numbers (the kernel's bit mask). */
    private static final List<String> DCCP_TYPES = List.of("REQUEST", "RESPONSE", "DATA", "ACK", "DATAACK",
            "CLOSEREQ", "CLOSE", "RESET", "SYNC", "SYNCACK", "INVALID");

    /** Type names in any case, comma-separated (empty items skipped), printed upper case in type order. */
    private static final ValueType DCCP_TYPE_LIST = Values.of("dccp-types", String.join("|", DCCP_TYPES)
            + "[,...]", (raw, ctx) -> {
                boolean[] present = new boolean[DCCP_TYPES.size()];
                for (String part : raw.split(",")) {
                    if (part.isEmpty()) {
                        continue;
                    }
                    int index = DCCP_TYPES.indexOf(part.toUpperCase(Locale.ROOT));
                    if (index < 0) {
                        throw new InvalidValueException("Unknown DCCP type `" + part + "'");
                    }
                    present[index] = true;
                }
                List<String> out = new ArrayList<>();
                for (int i = 0; i < present.length; i++) {
                    if (present[i]) {
                        out.add(DCCP_TYPES.get(i));
                    }
                }
                return String.join(",", out);
            });

    private static ExtensionSpec dccp() {
        ValueType ports = Ports.PORT_BY_NAME_RANGE;
        return ExtensionSpec.match("dccp", "DCCP ports, packet types and options",
                        OptionSpec.of("sport", "source port or range", ports).alias("source-port").invertible()
                                .tests(PacketField.SOURCE_PORT),
                        OptionSpec.of("dport", "destination port or range", ports).alias("destination-port")
                                .invertible().tests(PacketField.DESTINATION_PORT),
                        OptionSpec.of("dccp-types", "the packet is of one of these types", DCCP_TYPE_LIST)
                                .invertible(),
                        OptionSpec.of("dccp-option", "the option with this number is present",
                                Values.decimal(1, 255)).invertible())
                .implicitFor("dccp")
                .canonicalizedBy(Checks.needsProtocol("match dccp", "dccp"))
                .means(MatchSemantics.tests(MatchSemantics.HEADERS_NOT_READ));
    }

    private static ExtensionSpec sctp() {
        return ExtensionSpec.match("sctp", "SCTP ports and chunk types",
                        OptionSpec.of("sport", "source port or range", SCTP_PORTS).alias("source-port").invertible()
                                .tests(PacketField.SOURCE_PORT),
                        OptionSpec.of("dport", "destination port or range", SCTP_PORTS)
                                .alias("destination-port").invertible().tests(PacketField.DESTINATION_PORT),
                        OptionSpec.of("chunk-types", "whether any, all or only the listed chunk types (with"
                                + " flags, upper case set, lower case clear) are present", CHUNK_MATCH, CHUNK_LIST)
                                .invertible())
                .implicitFor("sctp")
                .canonicalizedBy(Checks.needsProtocol("match sctp", "sctp"))
                .means(MatchSemantics.tests(MatchSemantics.HEADERS_NOT_READ));
    }

    // ---- icmp and icmp6

    /** A named ICMP type: the type and the code range it stands for. */
    private record IcmpName(String name, int type, int codeMin, int codeMax) {
    }

    private static final List<IcmpName> ICMP_NAMES = List.of(
            new IcmpName("any", 255, 0, 255), new IcmpName("echo-reply", 0, 0, 255), new IcmpName("pong", 0, 0, 255),
            new IcmpName("destination-unreachable", 3, 0, 255), new IcmpName("network-unreachable", 3, 0, 0),
            new IcmpName("host-unreachable", 3, 1, 1), new IcmpName("protocol-unreachable", 3, 2, 2),
            new IcmpName("port-unreachable", 3, 3, 3), new IcmpName("fragmentation-needed", 3, 4, 4),
            new IcmpName("source-route-failed", 3, 5, 5), new IcmpName("network-unknown", 3, 6, 6),
            new IcmpName("host-unknown", 3, 7, 7), new IcmpName("network-prohibited", 3, 9, 9),
            new IcmpName("host-prohibited", 3, 10, 10), new IcmpName("TOS-network-unreachable", 3, 11, 11),
            new IcmpName("TOS-host-unreachable", 3, 12, 12), new IcmpName("communication-prohibited", 3, 13, 13),
            new IcmpName("host-precedence-violation", 3, 14, 14), new IcmpName("precedence-cutoff", 3, 15, 15),
            new IcmpName("source-quench", 4, 0, 255), new IcmpName("redirect", 5, 0, 255),
            new IcmpName("network-redirect", 5, 0, 0), new IcmpName("host-redirect", 5, 1, 1),
            new IcmpName("TOS-network-redirect", 5, 2, 2), new IcmpName("TOS-host-redirect", 5, 3, 3),
            new IcmpName("echo-request", 8, 0, 255), new IcmpName("ping", 8, 0, 255),
            new IcmpName("router-advertisement", 9, 0, 255), new IcmpName("router-solicitation", 10, 0, 255),
            new IcmpName("time-exceeded", 11, 0, 255), new IcmpName("ttl-exceeded", 11, 0, 255),
            new IcmpName("ttl-zero-during-transit", 11, 0, 0), new IcmpName("ttl-zero-during-reassembly", 11, 1, 1),
            new IcmpName("parameter-problem", 12, 0, 255), new IcmpName("ip-header-bad", 12, 0, 0),
            new IcmpName("required-option-missing", 12, 1, 1), new IcmpName("timestamp-request", 13, 0, 255),
            new IcmpName("timestamp-reply", 14, 0, 255), new IcmpName("address-mask-request", 17, 0, 255),
            new IcmpName("address-mask-reply", 18, 0, 255));

    private static final List<IcmpName> ICMPV6_NAMES = List.of(
            new IcmpName("destination-unreachable", 1, 0, 255), new IcmpName("no-route", 1, 0, 0),
            new IcmpName("communication-prohibited", 1, 1, 1), new IcmpName("beyond-scope", 1, 2, 2),
            new IcmpName("address-unreachable", 1, 3, 3), new IcmpName("port-unreachable", 1, 4, 4),
            new IcmpName("failed-policy", 1, 5, 5), new IcmpName("reject-route", 1, 6, 6),
            new IcmpName("packet-too-big", 2, 0, 255), new IcmpName("time-exceeded", 3, 0, 255),
            new IcmpName("ttl-exceeded", 3, 0, 255), new IcmpName("ttl-zero-during-transit", 3, 0, 0),
            new IcmpName("ttl-zero-during-reassembly", 3, 1, 1), new IcmpName("parameter-problem", 4, 0, 255),
            new IcmpName("bad-header", 4, 0, 0), new IcmpName("unknown-header-type", 4, 1, 1),
            new IcmpName("unknown-option", 4, 2, 2), new IcmpName("echo-request", 128, 0, 255),
            new IcmpName("ping", 128, 0, 255), new IcmpName("echo-reply", 129, 0, 255),
            new IcmpName("pong", 129, 0, 255), new IcmpName("mld-listener-query", 130, 0, 255),
            new IcmpName("mld-listener-report", 131, 0, 255), new IcmpName("mld-listener-done", 132, 0, 255),
            new IcmpName("mld-listener-reduction", 132, 0, 255), new IcmpName("router-solicitation", 133, 0, 255),
            new IcmpName("router-advertisement", 134, 0, 255), new IcmpName("neighbour-solicitation", 135, 0, 255),
            new IcmpName("neighbor-solicitation", 135, 0, 255), new IcmpName("neighbour-advertisement", 136, 0, 255),
            new IcmpName("neighbor-advertisement", 136, 0, 255), new IcmpName("redirect", 137, 0, 255));

    /**
     * {@code type[/code[:code]]} or a name (any case, any unambiguous prefix); printed as
     * {@code type} or {@code type/code} (the first code of a range), {@code any} for IPv4 type 255.
     */
    private static ValueType icmpType(List<IcmpName> names, String label, boolean anyForType255) {
        return Values.typed("icmp-type", "type[/code]|name", (raw, ctx) -> {
            IcmpName named = null;
            for (IcmpName candidate : names) {
                if (candidate.name().toLowerCase(Locale.ROOT).startsWith(raw.toLowerCase(Locale.ROOT))) {
                    if (named != null) {
                        throw new InvalidValueException("ambiguous " + label + " type `" + raw + "': `"
                                + named.name() + "' or `" + candidate.name() + "'?");
                    }
                    named = candidate;
                }
            }
            int type;
            int codeMin = 0;
            int codeMax = 255;
            if (named != null) {
                type = named.type();
                codeMin = named.codeMin();
                codeMax = named.codeMax();
            } else {
                int slash = raw.indexOf('/');
                long[] types = icmpRange(slash < 0 ? raw : raw.substring(0, slash), raw, label, "type", names);
                if (types[0] != types[1]) {
                    throw new InvalidValueException(label + " type range `" + raw + "' is not supported: give one type");
                }
                type = (int) types[0];
                if (slash >= 0) {
                    long[] codes = icmpRange(raw.substring(slash + 1), raw, label, "code", names);
                    codeMin = (int) codes[0];
                    codeMax = (int) codes[1];
                }
            }
            if (anyForType255 && type == 255) {
                return "any";
            }
            return codeMin == 0 && codeMax == 255 ? Integer.toString(type) : type + "/" + codeMin;
        }, IcmpType::parse);
    }

    private static long[] icmpRange(String text, String whole, String label, String what, List<IcmpName> names)
            throws InvalidValueException {
        int colon = text.indexOf(':');
        try {
            if (colon < 0) {
                long value = CNumbers.xtables(text, 0, 255);
                return new long[] {value, value};
            }
            return new long[] {CNumbers.xtables(text.substring(0, colon), 0, 255),
                    CNumbers.xtables(text.substring(colon + 1), 0, 255)};
        } catch (InvalidValueException e) {
            throw new InvalidValueException("unknown " + label + " " + what + " `" + whole + "': use a number 0-255"
                    + " or a name" , Suggestions.hint(whole, names.stream().map(IcmpName::name).toList()));
        }
    }

    private static ExtensionSpec icmp() {
        return ExtensionSpec.match("icmp", "ICMP type and code",
                        OptionSpec.of("icmp-type", "ICMP type, type/code or name (see iptables -p icmp -h)",
                                icmpType(ICMP_NAMES, "ICMP", true)).invertible().required()
                                        .tests(PacketField.ICMP_TYPE))
                .onlyFor(Family.IPV4)
                .implicitFor("icmp")
                .canonicalizedBy(Checks.needsProtocol("match icmp", "icmp"))
                .means(MatchSemantics.tests(MatchSemantics.HEADERS_NOT_READ));
    }

    // ---- mh

    /** Mobility header type names, each followed by its short alias, in iptables' table order. */
    private static final List<String> MH_NAMES = List.of("binding-refresh-request", "brr", "home-test-init", "hoti",
            "careof-test-init", "coti", "home-test", "hot", "careof-test", "cot", "binding-update", "bu",
            "binding-acknowledgement", "ba", "binding-error", "be");

    /**
     * A type as iptables reads it: the first name the word abbreviates (any case), unless a later
     * name is exactly the word; otherwise a number 0..255. An empty word abbreviates the first name.
     */
    private static int mhType(String word) throws InvalidValueException {
        int found = -1;
        for (int i = 0; i < MH_NAMES.size(); i++) {
            String name = MH_NAMES.get(i);
            if (name.regionMatches(true, 0, word, 0, word.length()) && word.length() <= name.length()
                    && (found < 0 || name.length() == word.length())) {
                found = i;
            }
        }
        if (found >= 0) {
            return found / 2;
        }
        return (int) CNumbers.xtablesWhole(word, 0, 255)
                .orElseThrow(() -> new InvalidValueException("Invalid MH type `" + word + "'"));
    }

    /** {@code type} or {@code [type]:[type]}, printed as numbers; a reversed range is refused. */
    private static final ValueType MH_TYPES = Values.of("mh-types", "type[:type]", (raw, ctx) -> {
        int colon = raw.indexOf(':');
        if (colon < 0) {
            return Integer.toString(mhType(raw));
        }
        String from = raw.substring(0, colon);
        String to = raw.substring(colon + 1);
        int low = from.isEmpty() ? 0 : mhType(from);
        int high = to.isEmpty() ? 255 : mhType(to);
        if (low > high) {
            throw new InvalidValueException("Invalid MH type range (min > max)");
        }
        return low == high ? Integer.toString(low) : low + ":" + high;
    });

    /** Every type, negated or not, is not kept: the match stays without the option. */
    private static ExtensionSpec mh() {
        return ExtensionSpec.match("mh", "IPv6 mobility header type",
                        OptionSpec.of("mh-type", "type or range, by number or name (binding-update, bu, ...)",
                                MH_TYPES).invertible())
                .onlyFor(Family.IPV6)
                .implicitFor("mh")
                .canonicalizedBy((options, context) -> {
                    Checks.requireProtocol(context, "match mh", "mobility-header");
                    List<Option> out = new ArrayList<>(options);
                    out.removeIf(o -> o.arg().equals("0:255"));
                    return out;
                });
    }

    private static ExtensionSpec icmp6() {
        return ExtensionSpec.match("icmp6", "ICMPv6 type and code",
                        OptionSpec.of("icmpv6-type", "ICMPv6 type, type/code or name",
                                icmpType(ICMPV6_NAMES, "ICMPv6", false)).invertible().required()
                                        .tests(PacketField.ICMP_TYPE))
                .onlyFor(Family.IPV6)
                .implicitFor("ipv6-icmp")
                .canonicalizedBy(Checks.needsProtocol("match icmp6", "ipv6-icmp"))
                .means(MatchSemantics.tests(MatchSemantics.HEADERS_NOT_READ));
    }

    // ---- multiport

    private static final String[] MULTIPORT_PROTOCOLS = {"tcp", "udp", "udplite", "sctp", "dccp"};
    private static final int MAX_PORT_SLOTS = 15;

    /** Ports resolve against the protocol given before the option, as iptables reads them there. */
    private static final ValueType PORT_LIST = Values.typed("port-list", "port[:port][,...] (up to 15 slots)",
            (raw, ctx) -> portList(raw, Checks.requireProtocol(ctx, "match multiport", MULTIPORT_PROTOCOLS),
                    ctx.names()),
            Ranges::parse);

    private static ExtensionSpec multiport() {
        return ExtensionSpec.match("multiport", "up to 15 ports or port ranges of tcp, udp, udplite, sctp or dccp",
                        OptionSpec.of("sports", "source ports", PORT_LIST).alias("source-ports").invertible()
                                .tests(PacketField.SOURCE_PORT),
                        OptionSpec.of("dports", "destination ports", PORT_LIST).alias("destination-ports")
                                .invertible().tests(PacketField.DESTINATION_PORT),
                        OptionSpec.of("ports", "source or destination ports", PORT_LIST).invertible()
                                .tests(PacketField.EITHER_PORT))
                .canonicalizedBy(ProtocolMatches::multiportCanonical)
                .means(MatchSemantics.tests(MatchSemantics.HEADERS_NOT_READ));
    }

    private static List<Option> multiportCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        Checks.notEmpty(options, "match multiport", "--sports, --dports or --ports");
        if (options.size() > 1) {
            throw new InvalidValueException("match multiport takes one of --sports, --dports and --ports");
        }
        Checks.requireProtocol(context, "match multiport", MULTIPORT_PROTOCOLS);
        return options;
    }

    private static String portList(String raw, String protocol, HostNames names) throws InvalidValueException {
        List<String> out = new ArrayList<>();
        int slots = 0;
        for (String element : raw.split(",", -1)) {
            int colon = element.indexOf(':');
            if (colon < 0) {
                out.add(Integer.toString(Ports.parsePort(element, protocol, names)));
                slots++;
                continue;
            }
            int low = Ports.parsePort(element.substring(0, colon), protocol, names);
            int high = Ports.parsePort(element.substring(colon + 1), protocol, names);
            if (low >= high) {
                throw new InvalidValueException("invalid port range `" + element + "': the first port must be"
                        + " below the last");
            }
            out.add(low + ":" + high);
            slots += 2;
        }
        if (slots > MAX_PORT_SLOTS) {
            throw new InvalidValueException("too many ports in `" + raw + "': at most 15, a range counts as two");
        }
        return String.join(",", out);
    }
}
