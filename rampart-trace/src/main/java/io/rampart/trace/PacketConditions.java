package io.rampart.trace;

import io.rampart.model.Family;
import io.rampart.model.Option;
import io.rampart.model.extension.Addresses;
import java.util.List;

/** Conditions on the packet's own headers: ports, flags, ICMP, lengths, TTL, TOS, address types. */
final class PacketConditions {

    private static final List<String> FLAGS = List.of("FIN", "SYN", "RST", "PSH", "ACK", "URG");

    private PacketConditions() {
    }

    static Condition ports(String ext, Option o, String text) {
        boolean neg = o.negated();
        return switch (o.name()) {
            case "sport", "dport" -> {
                int[] r = Conditions.range(o.arg());
                boolean source = o.name().equals("sport");
                yield Conditions.check(text, ext, f -> MatchResult.of(Conditions.within(
                        source ? f.packet.sport() : f.packet.dport(), r)).negatedIf(neg));
            }
            case "sports", "dports", "ports", "source-ports", "destination-ports" -> {
                List<int[]> ranges = java.util.Arrays.stream(o.arg().split(",")).map(Conditions::range).toList();
                String n = o.name();
                yield Conditions.check(text, ext, f -> MatchResult.of(ranges.stream().anyMatch(r ->
                        (!n.startsWith("d") && Conditions.within(f.packet.sport(), r))
                                || (!n.startsWith("s") && Conditions.within(f.packet.dport(), r)))).negatedIf(neg));
            }
            case "tcp-flags" -> {
                int mask = flags(o.args().get(0));
                int comp = flags(o.args().get(1));
                yield Conditions.check(text, ext, f -> MatchResult.of((f.packet.tcpFlags() & mask) == comp).negatedIf(neg));
            }
            default -> new Condition.Unknown(text, ext, "--" + o.name() + " reads headers the tracer does not model");
        };
    }

    static Condition icmp(String ext, Option o, String text) {
        boolean neg = o.negated();
        String arg = o.arg();
        if (arg.equals("any")) {
            return Conditions.check(text, ext, f -> MatchResult.MATCH.negatedIf(neg));
        }
        int slash = arg.indexOf('/');
        int type = Integer.parseInt(slash < 0 ? arg : arg.substring(0, slash));
        int code = slash < 0 ? -1 : Integer.parseInt(arg.substring(slash + 1));
        return Conditions.check(text, ext, f -> MatchResult.of(f.packet.isIcmp() && f.packet.icmpType() == type
                && (code < 0 || f.packet.icmpCode() == code)).negatedIf(neg));
    }

    static Condition of(String ext, Option o, String text, Family family) {
        boolean neg = o.negated();
        return switch (o.name()) {
            case "src-range", "dst-range" -> {
                String[] ends = o.arg().split("-");
                byte[] low = Addresses.parseLiteral(ends[0], family);
                byte[] high = Addresses.parseLiteral(ends[ends.length - 1], family);
                boolean source = o.name().equals("src-range");
                yield Conditions.check(text, ext, f -> {
                    byte[] a = source ? f.packet.srcBytes() : f.packet.dstBytes();
                    return MatchResult.of(Bits.compare(a, low) >= 0 && Bits.compare(a, high) <= 0).negatedIf(neg);
                });
            }
            case "src-type", "dst-type" -> addressType(o, text, family);
            case "limit-iface-in", "limit-iface-out" -> null;
            case "length" -> {
                int[] r = Conditions.range(o.arg());
                yield Conditions.check(text, ext, f -> MatchResult.of(Conditions.within(f.packet.length(), r)).negatedIf(neg));
            }
            case "ttl-eq", "hl-eq" -> number(text, ext, f -> f.packet.ttl() == Integer.parseInt(o.arg()), neg);
            case "ttl-lt", "hl-lt" -> number(text, ext, f -> f.packet.ttl() < Integer.parseInt(o.arg()), neg);
            case "ttl-gt", "hl-gt" -> number(text, ext, f -> f.packet.ttl() > Integer.parseInt(o.arg()), neg);
            case "tos" -> {
                long[] vm = Conditions.valueMask(o.arg(), 0xff);
                yield number(text, ext, f -> (f.packet.tos() & vm[1]) == vm[0], neg);
            }
            case "dscp" -> {
                int dscp = Integer.decode(o.arg());
                yield number(text, ext, f -> (f.packet.tos() >> 2) == dscp, neg);
            }
            case "pkt-type" -> number(text, ext, f -> packetType(f).equals(o.arg()), neg);
            default -> physdev(ext, o, text);
        };
    }

    /**
     * The headers the IPsec, IPComp and IPv6 extension header matches look for, by the protocol
     * number that announces them (srh is a routing header). A traced packet has no other
     * extension headers than the one its protocol names, so a match finds its header exactly
     * when the packet's protocol is that number; without it the match fails, negated options too.
     */
    private static final java.util.Map<String, Integer> HEADERS = java.util.Map.of("ah", 51, "esp", 50, "ipcomp", 108,
            "hbh", 0, "dst", 60, "rt", 43, "frag", 44, "srh", 43);

    static java.util.Optional<Integer> header(String ext) {
        return java.util.Optional.ofNullable(HEADERS.get(ext));
    }

    static Condition headerPresent(String ext) {
        int proto = HEADERS.get(ext);
        return Conditions.check("-m " + ext, ext, f -> MatchResult.of(f.packet.proto() == proto));
    }

    /** The SPI (or IPComp's CPI) against its range; the other header fields are not modelled. */
    static Condition headerField(String ext, Option o, String text) {
        if (!o.name().endsWith("spi")) {
            return new Condition.Unknown(text, ext, "--" + o.name() + " reads a header field the tracer does not"
                    + " model");
        }
        String[] ends = o.arg().split(":");
        long low = Long.parseLong(ends[0]);
        long high = Long.parseLong(ends[ends.length - 1]);
        boolean neg = o.negated();
        return Conditions.check(text, ext, f -> MatchResult.of(f.packet.spi() >= low && f.packet.spi() <= high)
                .negatedIf(neg));
    }

    /** Without a bridge, physdev matches only when every one of its options is negated. */
    private static Condition physdev(String ext, Option o, String text) {
        if (ext.equals("physdev")) {
            return Conditions.check(text, ext, f -> MatchResult.of(o.negated()));
        }
        return new Condition.Unknown(text, ext, "--" + o.name() + " is not modelled by the tracer");
    }

    private static Condition number(String text, String ext, java.util.function.Predicate<Flow> p, boolean neg) {
        return Conditions.check(text, ext, f -> MatchResult.of(p.test(f)).negatedIf(neg));
    }

    private static Condition addressType(Option o, String text, Family family) {
        List<String> types = List.of(o.arg().split(","));
        boolean source = o.name().equals("src-type");
        boolean neg = o.negated();
        if (family == Family.IPV6) {
            return Conditions.check(text, "addrtype", f -> MatchResult.of(matchesType6(f,
                    source ? f.packet.srcBytes() : f.packet.dstBytes(), types)).negatedIf(neg));
        }
        return Conditions.check(text, "addrtype", f -> MatchResult.of(types.contains(
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
