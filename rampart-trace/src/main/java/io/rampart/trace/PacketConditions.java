package io.rampart.trace;

import io.rampart.model.Family;
import io.rampart.model.Option;
import io.rampart.model.extension.Constraint;
import io.rampart.model.extension.PacketField;
import io.rampart.model.value.AddressRange;
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
import java.util.List;

/**
 * Conditions on the packet and its path: addresses, interfaces, ports, flags, ICMP, length, TTL, TOS and ECN,
 * marks, address types.
 */
final class PacketConditions {

    private static final List<String> FLAGS = Packet.TCP_FLAG_NAMES;

    private PacketConditions() {
    }

    static Condition of(Constraint constraint, Option o, String text, String ext, Family family) {
        boolean neg = o.negated();
        return switch (constraint.field()) {
            case SOURCE, DESTINATION -> {
                boolean source = constraint.field() == PacketField.SOURCE;
                Value value = o.value();
                java.util.function.Predicate<byte[]> holds = value instanceof AddressRange range ? range::contains
                        : ((Network) value)::contains;
                yield test(text, ext, f -> holds.test(source ? f.packet.srcBytes() : f.packet.dstBytes()), neg);
            }
            case IN_INTERFACE -> valued(o, InterfaceName.class, text, ext, (name, p) -> name.matches(p.in()));
            case OUT_INTERFACE -> valued(o, InterfaceName.class, text, ext, (name, p) -> name.matches(p.out()));
            case PROTOCOL -> valued(o, Protocol.class, text, ext, (proto, p) -> p.proto() == proto.number());
            // A traced packet is never a fragment.
            case FRAGMENT -> test(text, ext, f -> false, neg);
            case SOURCE_PORT -> ports(o, text, ext, true, false);
            case DESTINATION_PORT -> ports(o, text, ext, false, true);
            case EITHER_PORT -> ports(o, text, ext, true, true);
            case TCP_FLAGS -> {
                int mask = ((FlagSet) o.values().get(0)).bits();
                int comp = ((FlagSet) o.values().get(1)).bits();
                yield test(text, ext, f -> (f.packet.tcpFlags() & mask) == comp, neg);
            }
            case ICMP_TYPE -> icmp((IcmpType) o.value(), text, ext, neg);
            case SPI -> valued(o, Range.class, text, ext, (range, p) -> range.contains(p.spi()));
            case LENGTH -> valued(o, Range.class, text, ext, (range, p) -> range.contains(p.length()));
            case TTL -> {
                long ttl = ((NumberValue) o.value()).value();
                yield switch (constraint.comparison()) {
                    case IS -> test(text, ext, f -> f.packet.ttl() == ttl, neg);
                    case BELOW -> test(text, ext, f -> f.packet.ttl() < ttl, neg);
                    case ABOVE -> test(text, ext, f -> f.packet.ttl() > ttl, neg);
                };
            }
            case TOS -> valued(o, ValueMask.class, text, ext, (tos, p) -> tos.matches(p.tos()));
            case MARK -> valued(o, ValueMask.class, text, ext, (mark, p) -> mark.matches(p.mark()));
            case DSCP -> valued(o, NumberValue.class, text, ext, (dscp, p) -> (p.tos() >> 2) == dscp.value());
            case ECN -> valued(o, NumberValue.class, text, ext, (ect, p) -> (p.tos() & 3) == ect.value());
            case TCP_ECE -> test(text, ext, f -> (f.packet.tcpFlags() & Packet.ECE) != 0, neg);
            case TCP_CWR -> test(text, ext, f -> (f.packet.tcpFlags() & Packet.CWR) != 0, neg);
            case PACKET_TYPE -> test(text, ext, f -> packetType(f).equals(o.arg()), neg);
            case SOURCE_TYPE, DESTINATION_TYPE -> addressType(o, constraint.field() == PacketField.SOURCE_TYPE, text,
                    ext, family);
            // Without a bridge, physdev matches only when every one of its options is negated.
            case BRIDGE_PORT -> Conditions.check(text, ext, f -> MatchResult.of(neg));
            default -> new Condition.Unknown(text, ext, text + " is not modelled by the tracer");
        };
    }

    private static Condition ports(Option o, String text, String ext, boolean source, boolean destination) {
        Value value = o.value();
        java.util.function.LongPredicate holds = value instanceof Ranges ranges ? ranges::contains
                : ((Range) value)::contains;
        return test(text, ext, f -> source && holds.test(f.packet.sport())
                || destination && holds.test(f.packet.dport()), o.negated());
    }

    private static Condition icmp(IcmpType type, String text, String ext, boolean neg) {
        if (type.any()) {
            return Conditions.check(text, ext, f -> MatchResult.MATCH.negatedIf(neg));
        }
        return test(text, ext, f -> f.packet.isIcmp() && f.packet.icmpType() == type.type()
                && (type.code() < 0 || f.packet.icmpCode() == type.code()), neg);
    }

    /** The option's value, of {@code type}, tested against the packet by {@code holds}; negated as the option is. */
    private static <T> Condition valued(Option o, Class<T> type, String text, String ext,
                                        java.util.function.BiPredicate<T, Packet> holds) {
        T value = type.cast(o.value());
        return test(text, ext, f -> holds.test(value, f.packet), o.negated());
    }

    private static Condition test(String text, String ext, java.util.function.Predicate<Flow> p, boolean neg) {
        return Conditions.check(text, ext, f -> MatchResult.of(p.test(f)).negatedIf(neg));
    }

    private static Condition addressType(Option o, boolean source, String text, String ext, Family family) {
        List<String> types = ((WordSet) o.value()).words();
        boolean neg = o.negated();
        if (family == Family.IPV6) {
            return Conditions.check(text, ext, f -> MatchResult.of(matchesType6(f,
                    source ? f.packet.srcBytes() : f.packet.dstBytes(), types)).negatedIf(neg));
        }
        return Conditions.check(text, ext, f -> MatchResult.of(types.contains(
                typeOf(f, source ? f.packet.srcBytes() : f.packet.dstBytes(), family))).negatedIf(neg));
    }

    /**
     * The kernel's IPv6 addrtype ({@code match_type6}): MULTICAST, UNICAST and UNSPEC each require
     * the address to be of that form (UNICAST includes the host's own addresses); then, when LOCAL,
     * ANYCAST or UNREACHABLE is listed, one of them must be what the route lookup finds.
     */
    private static boolean matchesType6(Flow f, byte[] address, List<String> types) {
        boolean multicast = (address[0] & 0xff) == 0xff;
        boolean any = true;
        for (byte b : address) {
            any &= b == 0;
        }
        if (types.contains("MULTICAST") && !multicast || types.contains("UNICAST") && (multicast || any)
                || types.contains("UNSPEC") && !any) {
            return false;
        }
        if (types.contains("LOCAL") || types.contains("ANYCAST") || types.contains("UNREACHABLE")) {
            if (f.host.isLocal(address, Family.IPV6)) {
                return types.contains("LOCAL");
            }
            boolean unreachable = f.host.known() && f.host.routeTo(address, Family.IPV6).isEmpty();
            return unreachable && types.contains("UNREACHABLE");
        }
        return true;
    }

    private static String typeOf(Flow f, byte[] address, Family family) {
        if (f.host.isLocal(address, family)) {
            return "LOCAL";
        }
        if (family == Family.IPV4 ? (address[0] & 0xf0) == 0xe0 : (address[0] & 0xff) == 0xff) {
            return "MULTICAST";
        }
        if (f.host.isBroadcast(address, family) || (family == Family.IPV4 && address[0] == 0)) {
            return "BROADCAST";
        }
        return "UNICAST";
    }

    private static String packetType(Flow f) {
        Family family = f.packet.family();
        byte[] dst = f.packet.dstBytes();
        if (family == Family.IPV4 ? (dst[0] & 0xf0) == 0xe0 : (dst[0] & 0xff) == 0xff) {
            return "multicast";
        }
        return f.host.isBroadcast(dst, family) ? "broadcast" : "unicast";
    }

    private static int flags(String names) {
        if (names.equals("NONE")) {
            return 0;
        }
        if (names.equals("ALL")) {
            return 0x3f;
        }
        int bits = 0;
        for (String name : names.split(",")) {
            bits |= 1 << FLAGS.indexOf(name);
        }
        return bits;
    }

    static String flagNames(int bits) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < FLAGS.size(); i++) {
            if ((bits & (1 << i)) != 0) {
                b.append(b.length() == 0 ? "" : ",").append(FLAGS.get(i));
            }
        }
        return b.toString();
    }

    static int parseFlags(String names) {
        return flags(names.toUpperCase(java.util.Locale.ROOT));
    }
}
