package io.rampart.model.extensions;

import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.Option;
import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.Canonicalizer;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.MatchSemantics;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import io.rampart.model.extension.Words;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** IPv6 extension header matches: frag, rt, hbh, dst, srh, ipv6header, and eui64 (the address from the MAC). */
final class Ipv6HeaderMatches {

    private Ipv6HeaderMatches() {
    }

    private static final long MAX_U32 = 0xffffffffL;
    private static final ValueType U32_RANGE = Values.numberRange(MAX_U32, true);
    private static final ValueType U32 = Values.decimal(0, MAX_U32);

    static List<ExtensionSpec> specs() {
        return List.of(frag(), rt(), options("hbh", "hop-by-hop options header"),
                options("dst", "destination options header"), srh(), ipv6header(), eui64());
    }

    private static ExtensionSpec frag() {
        return ExtensionSpec.match("frag", "IPv6 fragment header",
                        OptionSpec.of("fragid", "identification or range min:max", U32_RANGE).invertible(),
                        OptionSpec.of("fraglen", "header length", U32).invertible(),
                        OptionSpec.flag("fragres", "reserved fields are not zero"),
                        OptionSpec.flag("fragfirst", "first fragment"),
                        OptionSpec.flag("fragmore", "more fragments follow"),
                        OptionSpec.flag("fraglast", "last fragment"))
                .onlyFor(Family.IPV6)
                .canonicalizedBy((options, context) -> {
                    if (Checks.has(options, "fragmore") && Checks.has(options, "fraglast")) {
                        throw new InvalidValueException("--fragmore and --fraglast cannot be combined");
                    }
                    return Checks.withoutFullRange(options, "fragid");
                })
                .means(MatchSemantics.testsHeader(44, MatchSemantics.HEADER_FIELD_NOT_READ));
    }

    private static final int MAX_RT0_ADDRESSES = 16;

    /** Up to 16 literal IPv6 addresses, comma-separated. */
    private static final ValueType RT0_ADDRESSES = Values.of("addresses", "address[,address...]", (raw, ctx) -> {
        String[] parts = raw.split(",", -1);
        if (parts.length > MAX_RT0_ADDRESSES) {
            throw new InvalidValueException("at most " + MAX_RT0_ADDRESSES + " addresses may follow --rt-0-addrs");
        }
        List<String> out = new ArrayList<>();
        for (String part : parts) {
            byte[] address = Addresses.parseLiteral(part, Family.IPV6);
            if (address == null) {
                throw new InvalidValueException("`" + part + "' is not a literal IPv6 address");
            }
            out.add(Addresses.format(address));
        }
        return String.join(",", out);
    });

    private static ExtensionSpec rt() {
        return ExtensionSpec.match("rt", "IPv6 routing header",
                        OptionSpec.of("rt-type", "routing type", U32).invertible(),
                        OptionSpec.of("rt-segsleft", "segments left or range min:max", U32_RANGE).invertible(),
                        OptionSpec.of("rt-len", "header length", U32).invertible(),
                        OptionSpec.flag("rt-0-res", "reserved field of a type 0 header is not zero"),
                        OptionSpec.of("rt-0-addrs", "addresses of a type 0 header, in order", RT0_ADDRESSES),
                        OptionSpec.flag("rt-0-not-strict", "the --rt-0-addrs may be among others"))
                .onlyFor(Family.IPV6)
                .canonicalizedBy(Canonicalizer.inGivenOrder(Ipv6HeaderMatches::rtCanonical))
                .means(MatchSemantics.testsHeader(43, MatchSemantics.HEADER_FIELD_NOT_READ));
    }

    private static final List<String> RT_SAVE_ORDER = List.of("rt-type", "rt-segsleft", "rt-len", "rt-0-res",
            "rt-0-addrs", "rt-0-not-strict");

    /** Given order: like iptables, the type 0 options need {@code --rt-type 0} before them. */
    private static List<Option> rtCanonical(List<Option> options, ValueContext context) throws InvalidValueException {
        boolean typeZero = false;
        boolean addresses = false;
        for (Option option : options) {
            switch (option.name()) {
                case "rt-type" -> typeZero = !option.negated() && option.arg().equals("0");
                case "rt-0-res", "rt-0-addrs" -> {
                    if (!typeZero) {
                        throw new InvalidValueException("--" + option.name() + " needs --rt-type 0 (not negated)"
                                + " before it");
                    }
                    addresses |= option.name().equals("rt-0-addrs");
                }
                case "rt-0-not-strict" -> {
                    if (!addresses) {
                        throw new InvalidValueException("--rt-0-not-strict needs --rt-0-addrs before it");
                    }
                }
                default -> {
                }
            }
        }
        return Checks.withoutFullRange(Checks.inSaveOrder(options, RT_SAVE_ORDER), "rt-segsleft");
    }

    private static final int MAX_OPTIONS = 16;

    /**
     * {@code TYPE[:LEN][,...]} as the hbh and dst matches read it: each number by strtoul (any
     * base, the whole item), kept to 8 bits; at most 16 items, the last without a length; type 0
     * (Pad1) has no length; a length of 255 means any and is not printed. Kept in the given order.
     */
    private static ValueType optionList(String match) {
        return Values.of("options", "TYPE[:LEN][,TYPE[:LEN]...]", (raw, ctx) -> {
            String[] items = raw.split(",", -1);
            if (items.length > MAX_OPTIONS) {
                throw new InvalidValueException("too many addresses specified: at most " + MAX_OPTIONS + " options");
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < items.length; i++) {
                int colon = items[i].indexOf(':');
                if (colon >= 0 && i == MAX_OPTIONS - 1) {
                    throw new InvalidValueException("too many ports specified: the " + MAX_OPTIONS
                            + "th option cannot have a length");
                }
                int type = optionNumber(match, colon < 0 ? items[i] : items[i].substring(0, colon), "opt");
                if (colon < 0) {
                    out.add(Integer.toString(type));
                    continue;
                }
                if (type == 0) {
                    throw new InvalidValueException("PAD0 has not got length");
                }
                int length = optionNumber(match, items[i].substring(colon + 1), "length");
                out.add(length == 255 ? Integer.toString(type) : type + ":" + length);
            }
            return String.join(",", out);
        });
    }

    private static int optionNumber(String match, String text, String what) throws InvalidValueException {
        CNumbers.Read read = CNumbers.strtoul(text, 0, 0);
        if (!read.found()) {
            throw new InvalidValueException(match + ": no valid digits in " + what + " `" + text + "'");
        }
        if (read.overflow()) {
            throw new InvalidValueException(what + " `" + text + "' specified too big: would overflow");
        }
        if (read.end() != text.length()) {
            throw new InvalidValueException(match + ": error parsing " + what + " `" + text + "'");
        }
        return (int) (read.value() & 0xff);
    }

    /** hbh and dst: the same match over two headers, their options named after the match. */
    private static ExtensionSpec options(String name, String header) {
        return ExtensionSpec.match(name, "IPv6 " + header + ": length and options",
                        OptionSpec.of(name + "-len", "length of the header", U32).invertible(),
                        OptionSpec.of(name + "-opts", "options that must be present, with their lengths",
                                optionList(name)))
                .onlyFor(Family.IPV6)
                .means(MatchSemantics.testsHeader(name.equals("hbh") ? 0 : 60, MatchSemantics.HEADER_FIELD_NOT_READ));
    }

    private static final ValueType U8 = Values.decimal(0, 255);

    /** A segment ID with its prefix length, always printed: the address unmasked, /128 when no mask was given. */
    private static final ValueType SID = Values.of("sid", "address[/mask]", (raw, ctx) -> {
        String canonical = TupleValues.HOST_MASK.canonical(raw, ctx);
        return canonical.contains("/") ? canonical : canonical + "/128";
    });

    /** The options of srh that set one header field, by field: a later one's value is the field's. */
    private static final List<List<String>> SRH_FIELDS = List.of(
            List.of("srh-hdr-len-eq", "srh-hdr-len-gt", "srh-hdr-len-lt"),
            List.of("srh-segs-left-eq", "srh-segs-left-gt", "srh-segs-left-lt"),
            List.of("srh-last-entry-eq", "srh-last-entry-gt", "srh-last-entry-lt"));

    private static ExtensionSpec srh() {
        List<OptionSpec> options = new ArrayList<>();
        options.add(OptionSpec.of("srh-next-hdr", "next header value", U8).invertible());
        for (List<String> field : SRH_FIELDS) {
            for (String name : field) {
                String what = name.startsWith("srh-hdr") ? "header length" : name.startsWith("srh-segs")
                        ? "segments left" : "last entry";
                String comparison = name.endsWith("eq") ? "equal to" : name.endsWith("gt") ? "greater than"
                        : "less than";
                options.add(OptionSpec.of(name, what + " " + comparison + " the value (one value for all three"
                        + " comparisons: the last given)", U8).invertible());
            }
        }
        options.add(OptionSpec.of("srh-tag", "tag value", Values.decimal(0, 65535)).invertible());
        options.add(OptionSpec.of("srh-psid", "previous segment ID", SID).invertible());
        options.add(OptionSpec.of("srh-nsid", "next segment ID", SID).invertible());
        options.add(OptionSpec.of("srh-lsid", "last segment ID", SID).invertible());
        return ExtensionSpec.match("srh", "IPv6 segment routing header", options.toArray(OptionSpec[]::new))
                .onlyFor(Family.IPV6)
                .canonicalizedBy(Canonicalizer.inGivenOrder(Ipv6HeaderMatches::srhCanonical))
                .means(MatchSemantics.testsHeader(43, MatchSemantics.HEADER_FIELD_NOT_READ));
    }

    /** The kernel keeps one value per field: every comparison on it prints the last value given. */
    private static List<Option> srhCanonical(List<Option> options, ValueContext context) {
        List<Option> out = new ArrayList<>();
        for (Option option : options) {
            List<String> field = SRH_FIELDS.stream().filter(f -> f.contains(option.name())).findFirst()
                    .orElse(List.of());
            String value = option.arg();
            for (Option later : options) {
                if (field.contains(later.name())) {
                    value = later.arg();
                }
            }
            out.add(Option.negated(option.name(), option.negated(), value));
        }
        List<String> saveOrder = new ArrayList<>(List.of("srh-next-hdr"));
        SRH_FIELDS.forEach(saveOrder::addAll);
        saveOrder.addAll(List.of("srh-tag", "srh-psid", "srh-nsid", "srh-lsid"));
        return Checks.inSaveOrder(out, saveOrder);
    }

    /** The kernel reads the source MAC, so only hooks where a packet has come in on an interface. */
    private static ExtensionSpec eui64() {
        return ExtensionSpec.match("eui64", "the source address's interface ID is the EUI-64 of the source MAC")
                .onlyFor(Family.IPV6)
                .atHooks(Hook.PREROUTING, Hook.INPUT, Hook.FORWARD);
    }

    /** The headers ipv6header knows, in the order of its bit mask, with iptables' own names for them. */
    private static final List<Integer> HEADER_ORDER = List.of(0, 60, 43, 44, 51, 50, 59, 255);
    private static final Map<String, Integer> HEADER_NAMES = Map.ofEntries(Map.entry("hop-by-hop", 0),
            Map.entry("protocol", 255), Map.entry("hop", 0), Map.entry("dst", 60), Map.entry("route", 43),
            Map.entry("frag", 44), Map.entry("auth", 51), Map.entry("esp", 50), Map.entry("none", 59),
            Map.entry("prot", 255), Map.entry("0", 0), Map.entry("60", 60), Map.entry("43", 43),
            Map.entry("44", 44), Map.entry("51", 51), Map.entry("50", 50), Map.entry("59", 59),
            Map.entry("255", 255));

    /** Header names: the system's protocol names first (case-sensitive), then iptables' own table. */
    private static final ValueType HEADERS = Values.of("headers", "hop,dst,route,frag,auth,esp,none,prot",
            (raw, ctx) -> {
                boolean[] present = new boolean[HEADER_ORDER.size()];
                for (String part : raw.split(",")) {
                    if (part.isEmpty()) {
                        continue;
                    }
                    Integer number = ctx.names().systemProtocolNumber(part)
                            .orElse(HEADER_NAMES.get(part));
                    if (number == null || !HEADER_ORDER.contains(number)) {
                        throw new InvalidValueException("unknown header `" + part + "': use hop, dst, route, frag,"
                                + " auth, esp, none or prot");
                    }
                    present[HEADER_ORDER.indexOf(number)] = true;
                }
                return String.join(",", Words.inOrder(present, HEADER_ORDER).stream()
                        .map(number -> headerName(number, ctx.names())).toList());
            });

    /** iptables' own name for each header, used when the system's protocol list has none. */
    private static final Map<Integer, String> FALLBACK_NAMES = Map.of(0, "hop-by-hop", 60, "dst", 43, "route",
            44, "frag", 51, "auth", 50, "esp", 59, "none", 255, "protocol");

    /** Protocol 0 is never looked up (iptables treats it as no protocol). */
    private static String headerName(int number, HostNames names) {
        return (number == 0 ? java.util.Optional.<String>empty() : names.systemProtocolName(number))
                .orElse(FALLBACK_NAMES.get(number));
    }

    private static ExtensionSpec ipv6header() {
        return ExtensionSpec.match("ipv6header", "which IPv6 extension headers the packet has",
                        OptionSpec.of("header", "headers that must be present (and no others unless --soft)", HEADERS)
                                .invertible().required(),
                        OptionSpec.flag("soft", "match if any of the headers is present"))
                .onlyFor(Family.IPV6);
    }
}
