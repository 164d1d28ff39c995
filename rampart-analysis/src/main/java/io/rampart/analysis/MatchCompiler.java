package io.rampart.analysis;

import io.rampart.model.Family;
import io.rampart.model.Match;
import io.rampart.model.Option;
import io.rampart.model.Rule;
import io.rampart.model.extension.Constraint;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.MatchSemantics;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.PacketField;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.model.value.FlagSet;
import io.rampart.model.value.IcmpType;
import io.rampart.model.value.InterfaceName;
import io.rampart.model.value.Network;
import io.rampart.model.value.NumberValue;
import io.rampart.model.value.Protocol;
import io.rampart.model.value.Range;
import io.rampart.model.value.Ranges;
import io.rampart.model.value.Value;
import io.rampart.model.value.ValueMask;
import io.rampart.model.value.WordSet;
import io.rampart.trace.CtState;
import io.rampart.trace.Packet;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A rule's match as the set of packets it matches, from its typed options, with the tracer's
 * semantics: each extension's {@link MatchSemantics} and each option's {@link Constraint}, as
 * rampart-trace's {@code Conditions} reads them. A match on a field the encoding does not hold
 * becomes a free variable.
 */
final class MatchCompiler {

    /** The fields a header option may test here. */
    private static final Set<PacketField> HEADER_FIELDS = EnumSet.of(PacketField.SOURCE, PacketField.DESTINATION,
            PacketField.IN_INTERFACE, PacketField.OUT_INTERFACE, PacketField.PROTOCOL, PacketField.FRAGMENT);

    /** The fields a match's option may test here. */
    private static final Set<PacketField> MATCH_FIELDS = EnumSet.of(PacketField.SOURCE_PORT,
            PacketField.DESTINATION_PORT, PacketField.EITHER_PORT, PacketField.TCP_FLAGS, PacketField.ICMP_TYPE,
            PacketField.CT_STATE, PacketField.MARK, PacketField.CT_MARK, PacketField.TTL, PacketField.TOS,
            PacketField.DSCP, PacketField.ECN, PacketField.TCP_ECE, PacketField.TCP_CWR, PacketField.LENGTH);

    private final HeaderSpace space;
    private final ExtensionRegistry registry = StandardExtensions.registry();

    MatchCompiler(HeaderSpace space) {
        this.space = space;
    }

    int compile(Rule rule) {
        ExtensionSpec header = registry.header(space.family());
        List<Integer> factors = new ArrayList<>();
        for (Option option : rule.header()) {
            Constraint constraint = constraint(header, option, HEADER_FIELDS);
            int one = constraint == null ? space.free("-" + option.name() + " " + String.join(" ", option.args()))
                    : field(constraint.field(), header.typed(option));
            factors.add(negatedIf(option, one));
        }
        for (Match match : rule.matches()) {
            factors.add(match(match));
        }
        return space.intersection(factors);
    }

    /** The option's constraint when the encoding holds its field, else null. */
    private static Constraint constraint(ExtensionSpec spec, Option option, Set<PacketField> fields) {
        Constraint constraint = spec.option(option.name()).map(OptionSpec::constraint).orElse(null);
        boolean held = constraint != null && (constraint.comparison() == Constraint.Comparison.IS
                || constraint.field() == PacketField.TTL) && fields.contains(constraint.field())
                && spec.typed(option).typed();
        return held ? constraint : null;
    }

    private int negatedIf(Option option, int node) {
        return option.negated() ? space.not(node) : node;
    }

    private int match(Match match) {
        ExtensionSpec spec = registry.match(match.extension(), space.family()).orElse(null);
        MatchSemantics semantics = spec == null ? MatchSemantics.NOT_MODELLED : spec.semantics();
        if (semantics instanceof MatchSemantics.Always) {
            return space.yes();
        }
        if (!(semantics instanceof MatchSemantics.Tests tests) || tests.header() >= 0
                || !match.options().stream().allMatch(o -> constraint(spec, o, MATCH_FIELDS) != null)) {
            return space.free(matchText(match));
        }
        int node = space.yes();
        for (Option o : match.options()) {
            PacketField field = constraint(spec, o, MATCH_FIELDS).field();
            Constraint.Comparison comparison = spec.option(o.name()).orElseThrow().constraint().comparison();
            int tested = negatedIf(o, field == PacketField.TTL ? ttl(comparison, spec.typed(o))
                    : field(field, spec.typed(o)));
            // A packet without a connection has no connection mark: it fails the test, negated or not.
            node = space.and(node, field == PacketField.CT_MARK ? space.and(tested, tracked(space)) : tested);
        }
        return node;
    }

    private int field(PacketField field, Option o) {
        return switch (field) {
            case SOURCE -> network(space.src, (Network) o.value());
            case DESTINATION -> network(space.dst, (Network) o.value());
            case IN_INTERFACE -> iface(space.in, ((InterfaceName) o.value()).text());
            case OUT_INTERFACE -> iface(space.out, ((InterfaceName) o.value()).text());
            case PROTOCOL -> protocol(((Protocol) o.value()).number());
            // The tracer's packets are never fragments, and nor are the encoding's.
            case FRAGMENT -> space.no();
            case SOURCE_PORT -> ports(o.value(), true, false);
            case DESTINATION_PORT -> ports(o.value(), false, true);
            case EITHER_PORT -> ports(o.value(), true, true);
            case TCP_FLAGS -> valueUnderMask(space.tcpFlags, ((FlagSet) o.values().get(1)).bits(),
                    ((FlagSet) o.values().get(0)).bits());
            case ICMP_TYPE -> icmp((IcmpType) o.value());
            case CT_STATE -> states((WordSet) o.value());
            case MARK -> {
                ValueMask mark = (ValueMask) o.value();
                yield valueUnderMask(space.mark, mark.value(), mark.mask());
            }
            case CT_MARK -> {
                ValueMask mark = (ValueMask) o.value();
                yield valueUnderMask(space.ctMark, mark.value(), mark.mask());
            }
            case TOS -> {
                ValueMask tos = (ValueMask) o.value();
                yield valueUnderMask(space.tos, tos.value(), tos.mask());
            }
            // The code point is the upper six bits of the TOS byte, ECN's the lower two.
            case DSCP -> space.masked(space.tos, ((NumberValue) o.value()).value() << 2, 0xfc);
            case ECN -> space.masked(space.tos, ((NumberValue) o.value()).value(), 0x03);
            case TCP_ECE -> space.masked(space.tcpFlags, Packet.ECE, Packet.ECE);
            case TCP_CWR -> space.masked(space.tcpFlags, Packet.CWR, Packet.CWR);
            case LENGTH -> length((Range) o.value());
            default -> throw new IllegalArgumentException("not an encoded field: " + field);
        };
    }

    /** {@code -m ttl} and {@code -m hl}: the TTL or hop limit equal to, below or above the value. */
    private int ttl(Constraint.Comparison comparison, Option o) {
        long value = ((NumberValue) o.value()).value();
        return switch (comparison) {
            case IS -> space.equal(space.ttl, value);
            case BELOW -> value == 0 ? space.no() : space.range(space.ttl, 0, value - 1);
            case ABOVE -> value == 255 ? space.no() : space.range(space.ttl, value + 1, 255);
        };
    }

    /** {@code -m length}: the field is IPv6's payload length, 40 bytes short of the length xt_length compares. */
    private int length(Range range) {
        long header = space.family() == Family.IPV4 ? 0 : HeaderSpace.IPV6_HEADER;
        long high = Math.min(range.high() - header, space.length.allOnes());
        return high < 0 || range.low() > range.high() ? space.no()
                : space.range(space.length, Math.max(0, range.low() - header), high);
    }

    private int protocol(int number) {
        return number == 0 ? space.yes() : space.equal(space.proto, number);
    }

    private int network(HeaderSpace.Field field, Network network) {
        if (network.address().length * 8 != space.family().addressBits()) {
            throw new IllegalArgumentException("not an address of the ruleset's family: " + network.text());
        }
        return space.masked(field, network.address(), network.mask());
    }

    private int iface(HeaderSpace.Field field, String pattern) {
        int node = space.no();
        for (int index : space.interfaces().matching(pattern)) {
            node = space.or(node, space.equal(field, index));
        }
        return node;
    }

    /** {@code (field & mask) == value}, which no packet meets when the value has bits outside the mask. */
    private int valueUnderMask(HeaderSpace.Field field, long value, long mask) {
        return (value & ~mask) != 0 ? space.no() : space.masked(field, value, mask);
    }

    private int ports(Value value, boolean source, boolean destination) {
        List<Range> ranges = value instanceof Ranges list ? list.ranges() : List.of((Range) value);
        int node = space.no();
        for (Range range : ranges) {
            if (source) {
                node = space.or(node, space.range(space.sport, range.low(), range.high()));
            }
            if (destination) {
                node = space.or(node, space.range(space.dport, range.low(), range.high()));
            }
        }
        return node;
    }

    private int icmp(IcmpType type) {
        if (type.any()) {
            return space.yes();
        }
        int isIcmp = space.equal(space.proto, space.family() == Family.IPV4 ? 1 : 58);
        int node = space.and(isIcmp, space.equal(space.icmpType, type.type()));
        return type.code() < 0 ? node : space.and(node, space.equal(space.icmpCode, type.code()));
    }

    private int states(WordSet states) {
        int node = space.no();
        for (String state : states.words()) {
            int one = switch (state) {
                case "SNAT" -> space.and(tracked(space), space.equal(space.snat, 1));
                case "DNAT" -> space.and(tracked(space), space.equal(space.dnat, 1));
                default -> CtState.byName(state).map(s -> space.equal(space.ctState, s.ordinal())).orElse(space.no());
            };
            node = space.or(node, one);
        }
        return node;
    }

    /** The packets with a connection: not INVALID (which is also how raw sees every packet) nor UNTRACKED. */
    static int tracked(HeaderSpace space) {
        return space.not(space.or(space.equal(space.ctState, CtState.INVALID.ordinal()),
                space.equal(space.ctState, CtState.UNTRACKED.ordinal())));
    }

    /** The names of the flags set, as trace reads them. */
    static String flagNames(long bits) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Packet.TCP_FLAG_NAMES.size(); i++) {
            if ((bits & (1L << i)) != 0) {
                b.append(b.length() == 0 ? "" : ",").append(Packet.TCP_FLAG_NAMES.get(i));
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
