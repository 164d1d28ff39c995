package io.rampart.analysis;

import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.HostNames;
import io.rampart.trace.CtState;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.LongFunction;

/**
 * A region of packets in words, field by field ("tcp, to 10.0.0.0/24 port 22, from anywhere but
 * 192.0.2.0/24"): each field's projection of the region, fields the region leaves free left out.
 * When the region is not the product of its projections the words bound it, and {@code exact} is false.
 */
final class RegionText {

    /** At most this many items of a list are named; the rest are counted. */
    private static final int SHOWN = 4;

    private final HeaderSpace space;
    private final int region;
    private final int domain;
    private final HostNames names;
    private boolean exact;

    /** The region's protocols are named as {@code names} name numbers (getprotobynumber(3) on a host). */
    RegionText(HeaderSpace space, int region, int domain, HostNames names) {
        this.space = space;
        this.region = space.exists(region, space.freeSet());
        this.domain = domain;
        this.names = names;
    }

    boolean exact() {
        return exact;
    }

    String describe() {
        List<String> parts = new ArrayList<>();
        int product = domain;
        // A connection's mark and NAT are free only for states with a connection: judged within the region's states.
        int states = space.and(domain, space.exists(region, space.allBut(space.ctState)));
        for (HeaderSpace.Field field : space.fields()) {
            int projection = space.exists(region, space.allBut(field));
            product = space.and(product, projection);
            boolean connection = field == space.ctMark || field == space.dnat || field == space.snat;
            int whole = space.exists(connection ? states : domain, space.allBut(field));
            if (projection == whole) {
                continue;
            }
            parts.add(field(field, projection, whole));
        }
        exact = product == region;
        return parts.isEmpty() ? "every packet" : String.join(", ", parts);
    }

    private String field(HeaderSpace.Field f, int set, int whole) {
        int rest = space.minus(whole, set);
        return switch (f.name()) {
            case "proto" -> listed(set, rest, f, "protocol", this::protocol, false);
            case "in" -> "in on " + listed(set, rest, f, "interface", this::iface, false);
            case "out" -> "out on " + listed(set, rest, f, "interface", this::iface, false);
            case "ct_state" -> "state " + listed(set, rest, f, "", v -> CtState.values()[(int) v].name(), false);
            case "src" -> "from " + addresses(f, set, rest);
            case "dst" -> "to " + addresses(f, set, rest);
            case "sport" -> "source port " + listed(set, rest, f, "port", String::valueOf, true);
            case "dport" -> "port " + listed(set, rest, f, "port", String::valueOf, true);
            case "tcp_flags" -> "flags " + listed(set, rest, f, "flags", MatchCompiler::flagNames, true);
            case "icmp_type" -> "icmp type " + listed(set, rest, f, "type", String::valueOf, true);
            case "icmp_code" -> "icmp code " + listed(set, rest, f, "code", String::valueOf, true);
            case "ttl" -> (space.family() == io.rampart.model.Family.IPV4 ? "ttl " : "hop limit ")
                    + listed(set, rest, f, "", String::valueOf, true);
            case "tos" -> (space.family() == io.rampart.model.Family.IPV4 ? "tos " : "traffic class ")
                    + cubes(f, set, true);
            case "length" -> "length " + listed(set, rest, f, "", v -> String.valueOf(space.layer3Length(v)), true);
            case "ctmark" -> "connection mark " + cubes(f, set, true);
            case "dnat", "snat" -> "connection " + (space.and(set, space.equal(f, 1)) == space.no() ? "not " : "")
                    + "translated by " + f.name().toUpperCase(java.util.Locale.ROOT);
            default -> "mark " + cubes(f, set, true);
        };
    }

    private String protocol(long number) {
        return names.systemProtocolName((int) number).orElse(String.valueOf(number));
    }

    private String iface(long index) {
        return space.interfaces().label((int) index);
    }

    /** The values of a small field as ranges, or all but some when that is shorter. */
    private String listed(int set, int rest, HeaderSpace.Field f, String noun, LongFunction<String> name,
                          boolean ordered) {
        List<long[]> in = ranges(f, set, ordered);
        List<long[]> out = ranges(f, rest, ordered);
        // On a tie, name what is left out when the set holds names no rule spells ("any other").
        boolean holdsUnnamed = !ordered && !in.isEmpty() && in.get(in.size() - 1)[0] == space.interfaces().size() - 1
                && (f == space.in || f == space.out);
        if (!out.isEmpty() && (out.size() < in.size() || out.size() == in.size() && holdsUnnamed)) {
            return "any " + (noun.isEmpty() ? "" : noun + " ") + "but " + join(out, name);
        }
        return join(in, name);
    }

    private static String join(List<long[]> ranges, LongFunction<String> name) {
        List<String> items = new ArrayList<>();
        for (long[] r : ranges) {
            items.add(r[0] == r[1] ? name.apply(r[0]) : name.apply(r[0]) + "-" + name.apply(r[1]));
        }
        return shown(items);
    }

    private static String shown(List<String> items) {
        if (items.size() <= SHOWN) {
            return String.join(", ", items);
        }
        return String.join(", ", items.subList(0, SHOWN)) + " and " + (items.size() - SHOWN) + " more";
    }

    /**
     * The field's values in {@code set}, found by testing each (fields of up to 16 bits): as maximal
     * ranges when the values are ordered (ports), one by one when they are names (protocols, states).
     */
    private List<long[]> ranges(HeaderSpace.Field f, int set, boolean ordered) {
        List<long[]> out = new ArrayList<>();
        BitSet point = new BitSet();
        long start = -1;
        for (long v = 0; v <= f.allOnes(); v++) {
            for (int i = 0; i < f.width(); i++) {
                point.set(f.first() + f.width() - 1 - i, (v >> i & 1) == 1);
            }
            boolean member = space.bdd().evaluate(set, point);
            if (member && !ordered) {
                out.add(new long[] {v, v});
            } else if (member && start < 0) {
                start = v;
            } else if (!member && start >= 0) {
                out.add(new long[] {start, v - 1});
                start = -1;
            }
        }
        if (start >= 0) {
            out.add(new long[] {start, f.allOnes()});
        }
        return out;
    }

    private String addresses(HeaderSpace.Field f, int set, int rest) {
        List<String> in = cubeList(f, set, false);
        List<String> out = cubeList(f, rest, false);
        return out.size() < in.size() ? "anywhere but " + shown(out) : shown(in);
    }

    private String cubes(HeaderSpace.Field f, int set, boolean number) {
        return shown(cubeList(f, set, number));
    }

    /** The set as value/mask cubes, one per path of its BDD: a prefix when the mask is contiguous. */
    private List<String> cubeList(HeaderSpace.Field f, int set, boolean number) {
        List<String> out = new ArrayList<>();
        space.bdd().forEachPath(set, (path, support) -> {
            byte[] value = new byte[(f.width() + 7) / 8];
            byte[] mask = new byte[value.length];
            int length = 0;
            boolean contiguous = true;
            for (int k = 0; k < f.width(); k++) {
                if (support.get(f.first() + k)) {
                    mask[k / 8] |= (byte) (0x80 >> (k % 8));
                    contiguous &= length == k;
                    length++;
                    if (path.get(f.first() + k)) {
                        value[k / 8] |= (byte) (0x80 >> (k % 8));
                    }
                }
            }
            if (number) {
                out.add("0x" + Long.toHexString(toLong(value)) + "/0x" + Long.toHexString(toLong(mask)));
            } else if (length == 0) {
                out.add("anywhere");
            } else {
                out.add(text(value) + "/" + (contiguous ? String.valueOf(length) : text(mask)));
            }
        });
        return out;
    }

    private static long toLong(byte[] bytes) {
        long v = 0;
        for (byte b : bytes) {
            v = v << 8 | (b & 0xff);
        }
        return v;
    }

    private static String text(byte[] bytes) {
        return Addresses.format(bytes);
    }
}
