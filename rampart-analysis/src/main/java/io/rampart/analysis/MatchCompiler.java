package io.rampart.analysis;

import io.rampart.model.Family;
import io.rampart.model.Match;
import io.rampart.model.Option;
import io.rampart.model.Rule;
import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.NameDatabase;
import io.rampart.trace.CtState;
import java.util.List;
import java.util.Set;

/**
 * A rule's match as the set of packets it matches, from its canonical options, with the tracer's
 * semantics (rampart-trace's {@code Conditions}). A match it cannot model becomes a free variable.
 */
final class MatchCompiler {

    static final List<String> TCP_FLAGS = List.of("FIN", "SYN", "RST", "PSH", "ACK", "URG");

    /** Matches whose options are all modelled below. */
    private static final Set<String> MODELLED = Set.of("tcp", "udp", "sctp", "dccp", "multiport", "icmp", "icmp6",
            "conntrack", "state", "mark", "comment");

    private final HeaderSpace space;

    MatchCompiler(HeaderSpace space) {
        this.space = space;
    }

    int compile(Rule rule) {
        int node = space.yes();
        for (Option option : rule.header()) {
            node = space.and(node, negatedIf(option, header(option)));
        }
        for (Match match : rule.matches()) {
            node = space.and(node, match(match));
        }
        return node;
    }

    private int negatedIf(Option option, int node) {
        return option.negated() ? space.not(node) : node;
    }

    private int header(Option o) {
        return switch (o.name()) {
            case "s" -> network(space.src, o.arg());
            case "d" -> network(space.dst, o.arg());
            case "i" -> iface(space.in, o.arg());
            case "o" -> iface(space.out, o.arg());
            case "p" -> protocol(o.arg());
            // The tracer's packets are never fragments, and nor are the encoding's.
            case "f" -> space.no();
            default -> space.free("-" + o.name() + " " + String.join(" ", o.args()));
        };
    }

    private int protocol(String name) {
        int number = NameDatabase.system().protocolNumber(name).orElseThrow(() ->
                new IllegalArgumentException("unknown protocol " + name));
        return number == 0 ? space.yes() : space.equal(space.proto, number);
    }

    private int network(HeaderSpace.Field field, String text) {
        Family family = space.family();
        int slash = text.indexOf('/');
        byte[] address = Addresses.parseLiteral(slash < 0 ? text : text.substring(0, slash), family);
        String suffix = slash < 0 ? String.valueOf(family.addressBits()) : text.substring(slash + 1);
        byte[] mask = suffix.chars().allMatch(Character::isDigit) ? prefixMask(Integer.parseInt(suffix), family)
                : Addresses.parseLiteral(suffix, family);
        if (address == null || mask == null) {
            throw new IllegalArgumentException("not an address of the ruleset's family: " + text);
        }
        return space.masked(field, address, mask);
    }

    private static byte[] prefixMask(int length, Family family) {
        byte[] mask = new byte[family.addressBits() / 8];
        for (int i = 0; i < length; i++) {
            mask[i / 8] |= (byte) (0x80 >> (i % 8));
        }
        return mask;
    }

    private int iface(HeaderSpace.Field field, String pattern) {
        int node = space.no();
        for (int index : space.interfaces().matching(pattern)) {
            node = space.or(node, space.equal(field, index));
        }
        return node;
    }

    private int match(Match match) {
        if (!MODELLED.contains(match.extension()) || !match.options().stream().allMatch(o -> modelled(match, o))) {
            return space.free(matchText(match));
        }
        int node = space.yes();
        for (Option o : match.options()) {
            node = space.and(node, negatedIf(o, option(match.extension(), o)));
        }
        return node;
    }

    private static boolean modelled(Match match, Option o) {
        return switch (o.name()) {
            case "sport", "dport", "sports", "dports", "ports", "source-ports", "destination-ports", "tcp-flags",
                    "icmp-type", "icmpv6-type", "ctstate", "state", "mark", "comment" -> true;
            default -> false;
        };
    }

    private int option(String extension, Option o) {
        return switch (o.name()) {
            case "sport" -> portRange(space.sport, o.arg());
            case "dport" -> portRange(space.dport, o.arg());
            case "sports", "source-ports" -> ports(o.arg(), true, false);
            case "dports", "destination-ports" -> ports(o.arg(), false, true);
            case "ports" -> ports(o.arg(), true, true);
            case "tcp-flags" -> valueUnderMask(space.tcpFlags, flags(o.args().get(1)), flags(o.args().get(0)));
            case "icmp-type", "icmpv6-type" -> icmp(o.arg());
            case "ctstate", "state" -> states(o.arg());
            case "mark" -> {
                int slash = o.arg().indexOf('/');
                long value = Long.decode(slash < 0 ? o.arg() : o.arg().substring(0, slash));
                long mask = slash < 0 ? 0xffffffffL : Long.decode(o.arg().substring(slash + 1));
                yield valueUnderMask(space.mark, value, mask);
            }
            default -> space.yes();
        };
    }

    /** {@code (field & mask) == value}, which no packet meets when the value has bits outside the mask. */
    private int valueUnderMask(HeaderSpace.Field field, long value, long mask) {
        return (value & ~mask) != 0 ? space.no() : space.masked(field, value, mask);
    }

    private int portRange(HeaderSpace.Field field, String text) {
        int colon = text.indexOf(':');
        long low = Long.parseLong(colon < 0 ? text : text.substring(0, colon));
        long high = colon < 0 ? low : Long.parseLong(text.substring(colon + 1));
        return space.range(field, low, high);
    }

    private int ports(String list, boolean source, boolean destination) {
        int node = space.no();
        for (String item : list.split(",")) {
            if (source) {
                node = space.or(node, portRange(space.sport, item));
            }
            if (destination) {
                node = space.or(node, portRange(space.dport, item));
            }
        }
        return node;
    }

    private int icmp(String text) {
        int isIcmp = space.equal(space.proto, space.family() == Family.IPV4 ? 1 : 58);
        if (text.equals("any")) {
            return space.yes();
        }
        int slash = text.indexOf('/');
        int node = space.and(isIcmp, space.equal(space.icmpType, Integer.parseInt(slash < 0 ? text
                : text.substring(0, slash))));
        return slash < 0 ? node : space.and(node, space.equal(space.icmpCode, Integer.parseInt(text.substring(slash + 1))));
    }

    private int states(String list) {
        int node = space.no();
        for (String state : list.split(",")) {
            // Without a nat table no connection is SNAT or DNAT.
            int one = CtState.byName(state).map(s -> space.equal(space.ctState, s.ordinal())).orElse(space.no());
            node = space.or(node, one);
        }
        return node;
    }

    static long flags(String names) {
        if (names.equals("NONE")) {
            return 0;
        }
        if (names.equals("ALL")) {
            return 0x3f;
        }
        long bits = 0;
        for (String name : names.split(",")) {
            bits |= 1L << TCP_FLAGS.indexOf(name);
        }
        return bits;
    }

    static String flagNames(long bits) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < TCP_FLAGS.size(); i++) {
            if ((bits & (1L << i)) != 0) {
                b.append(b.length() == 0 ? "" : ",").append(TCP_FLAGS.get(i));
            }
        }
        return b.length() == 0 ? "NONE" : b.toString();
    }

    /** The match as a rule spells it, e.g. {@code -m statistic --mode random --probability 0.5}. */
    static String matchText(Match match) {
        StringBuilder b = new StringBuilder("-m ").append(match.extension());
        for (Option o : match.options()) {
            b.append(o.negated() ? " ! --" : " --").append(o.name());
            o.args().forEach(arg -> b.append(' ').append(arg));
        }
        return b.toString();
    }
}
