package io.rampart.analysis;

import de.tum.in.jbdd.Bdd;
import de.tum.in.jbdd.BddConfiguration;
import de.tum.in.jbdd.BddFactory;
import de.tum.in.jbdd.BddIterative;
import io.rampart.model.Family;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Packet headers as BDD variables: each field a block of bits, most significant first, and one
 * free variable for each match the encoding cannot model. Every node it hands out is referenced,
 * so jbdd's garbage collection never frees a set still in use; one space serves one comparison.
 */
final class HeaderSpace {

    /** A header field: its first variable and width in bits. */
    record Field(String name, int first, int width) {
        long allOnes() {
            return width == 64 ? -1L : (1L << width) - 1;
        }
    }

    private final Bdd bdd;
    /** The same diagrams, for the node table's size and free count (what {@link #nodes} reads). */
    private final BddIterative table;
    private final long bound;
    private final Family family;
    private final InterfaceDomain interfaces;
    private final List<Field> fields = new ArrayList<>();
    private final Map<String, Integer> freeVariables = new LinkedHashMap<>();
    /** Per free variable, what its two values say ("`-m statistic ...' matches" or "... does not match"). */
    private final Map<Integer, Unknown> unknowns = new LinkedHashMap<>();
    /** The free variables standing for what a target the analysis cannot follow does, by what decides it. */
    private final Map<Object, Integer> choices = new HashMap<>();
    private final Map<Object, Field> values = new HashMap<>();
    private final Map<Object, Integer> matchSets = new HashMap<>();
    private final Map<Integer, Integer> complements = new HashMap<>();
    private final Map<Object, Map<String, Integer>> chainOutcomes = new HashMap<>();
    final Field proto;
    final Field in;
    final Field out;
    final Field ctState;
    final Field dst;
    final Field dport;
    final Field src;
    final Field sport;
    /** TCP's flags: FIN (bit 0) to URG, then ECN's ECE and CWR. */
    final Field tcpFlags;
    final Field icmpType;
    final Field icmpCode;
    /** The IPv4 TTL or IPv6 hop limit, and the TOS byte or traffic class (DSCP in its upper six bits, ECN below). */
    final Field ttl;
    final Field tos;
    /** IPv4's total length, IPv6's payload length (the 40-byte header not counted), as their headers hold them. */
    final Field length;
    final Field mark;
    /** The connection's mark, and whether NAT changed its destination or source: none on arrival. */
    final Field ctMark;
    final Field dnat;
    final Field snat;

    /**
     * jbdd's defaults without garbage collection (every set is kept for the whole comparison, so a
     * collection would mark the whole table to free nothing) and without its statistics at exit.
     */
    private static final class Quiet extends BddConfiguration {
        @Override
        public boolean logStatisticsOnShutdown() {
            return false;
        }

        @Override
        public boolean useGarbageCollection() {
            return false;
        }
    }

    HeaderSpace(Family family, InterfaceDomain interfaces) {
        this(family, interfaces, 1 << 20);
    }

    /** A space whose node table starts at {@code nodes} (it grows when needed), without bound. */
    HeaderSpace(Family family, InterfaceDomain interfaces, int nodes) {
        this(family, interfaces, nodes, Long.MAX_VALUE);
    }

    /**
     * A space whose node table starts at {@code nodes} and that refuses to hold more than {@code bound}:
     * the operation that takes it past the bound throws {@link AnalysisBoundException}.
     */
    HeaderSpace(Family family, InterfaceDomain interfaces, int nodes, long bound) {
        this.bdd = BddFactory.buildBddIterative(nodes, new Quiet());
        this.table = (BddIterative) bdd;
        this.bound = bound;
        this.family = family;
        this.interfaces = interfaces;
        int ifaceBits = Math.max(1, 32 - Integer.numberOfLeadingZeros(interfaces.size() - 1));
        // The fields in the order a region's words name them (fields()), each with its width.
        Map<String, Integer> widths = new LinkedHashMap<>();
        widths.put("proto", 8);
        widths.put("in", ifaceBits);
        widths.put("out", ifaceBits);
        widths.put("ct_state", 3);
        widths.put("dst", family.addressBits());
        widths.put("dport", 16);
        widths.put("src", family.addressBits());
        widths.put("sport", 16);
        widths.put("tcp_flags", 8);
        widths.put("icmp_type", 8);
        widths.put("icmp_code", 8);
        widths.put("ttl", 8);
        widths.put("tos", 8);
        widths.put("length", 16);
        widths.put("mark", 32);
        widths.put("ctmark", 32);
        widths.put("dnat", 1);
        widths.put("snat", 1);
        // The variables' order: the addresses and ports large rulesets tell their rules apart by come
        // first, destination before source, then the rest as named. Measured on DiffBenchmark's
        // 10,000 rules, diff and the dead-rule analysis take about a quarter less CPU than with the
        // protocol, interfaces and state above the addresses.
        Map<String, Field> made = new HashMap<>();
        for (String name : List.of("dst", "src", "dport", "sport")) {
            made.put(name, field(name, widths.get(name)));
        }
        widths.forEach((name, width) -> made.computeIfAbsent(name, n -> field(n, width)));
        fields.clear();
        widths.keySet().forEach(name -> fields.add(made.get(name)));
        proto = made.get("proto");
        in = made.get("in");
        out = made.get("out");
        ctState = made.get("ct_state");
        dst = made.get("dst");
        dport = made.get("dport");
        src = made.get("src");
        sport = made.get("sport");
        tcpFlags = made.get("tcp_flags");
        icmpType = made.get("icmp_type");
        icmpCode = made.get("icmp_code");
        ttl = made.get("ttl");
        tos = made.get("tos");
        length = made.get("length");
        mark = made.get("mark");
        ctMark = made.get("ctmark");
        dnat = made.get("dnat");
        snat = made.get("snat");
    }

    /**
     * A node table for about {@code rules} rules: a small file needs no megabytes of table, and a
     * large one should not grow its table (each growth rehashes every node) while it is worked on.
     */
    static int nodesFor(int rules) {
        return Math.min(1 << 23, Math.max(1 << 12, rules * 800));
    }

    /**
     * The most nodes {@code check}'s analysis of about {@code rules} rules may make: 2 M at least, so
     * small files never meet it, up to just below the largest table {@link #nodesFor} gives, so a
     * table that size (16 bytes a node, 134 MB) never grows to hold more. The 10,000-rule benchmarks
     * make 3.7 M; 100,000 rules in 10,000 chains would make about 23 M.
     */
    static long boundFor(int rules) {
        return Math.max(1 << 21, Math.min((1 << 23) - (1 << 19), (long) rules * 800));
    }

    static final long IPV6_HEADER = 40;

    /** The packet's layer-3 length, as xt_length and the tracer count it, from the length field's value. */
    long layer3Length(long field) {
        return family == Family.IPV4 ? field : field + IPV6_HEADER;
    }

    /** The length field's value for a packet of layer-3 length {@code length}. */
    long lengthField(long length) {
        return family == Family.IPV4 ? length : length - IPV6_HEADER;
    }

    private Field field(String name, int width) {
        int first = bdd.numberOfVariables();
        bdd.createVariables(width);
        Field field = new Field(name, first, width);
        fields.add(field);
        return field;
    }

    Bdd bdd() {
        return bdd;
    }

    /** The nodes the space has made so far (none is ever freed). */
    int nodes() {
        return table.getTableSize() - table.getFreeNodeCount();
    }

    Family family() {
        return family;
    }

    InterfaceDomain interfaces() {
        return interfaces;
    }

    List<Field> fields() {
        return List.copyOf(fields);
    }

    int yes() {
        return bdd.trueNode();
    }

    int no() {
        return bdd.falseNode();
    }

    int keep(int node) {
        if (bound != Long.MAX_VALUE && nodes() > bound) {
            throw new AnalysisBoundException(bound);
        }
        return bdd.reference(node);
    }

    int and(int a, int b) {
        return keep(bdd.and(a, b));
    }

    int or(int a, int b) {
        return keep(bdd.or(a, b));
    }

    int not(int a) {
        return keep(bdd.not(a));
    }

    /** The union of many sets, pairwise as a balanced tree: sequential unions would grow one set n times. */
    int union(List<Integer> sets) {
        List<Integer> level = new ArrayList<>(sets);
        if (level.isEmpty()) {
            return no();
        }
        while (level.size() > 1) {
            List<Integer> next = new ArrayList<>((level.size() + 1) / 2);
            for (int i = 0; i < level.size(); i += 2) {
                next.add(i + 1 < level.size() ? or(level.get(i), level.get(i + 1)) : level.get(i));
            }
            level = next;
        }
        return level.get(0);
    }

    /** The complement of a rule's match, made once and only for rules a walk passes. */
    int complement(int match) {
        Integer known = complements.get(match);
        if (known == null) {
            known = not(match);
            complements.put(match, known);
        }
        return known;
    }

    /**
     * The intersection of sets, deepest first: a factor whose variables all lie below the others'
     * is joined by rebuilding only the nodes above it, so a rule's fields cost about their bits.
     */
    int intersection(List<Integer> factors) {
        List<Integer> sorted = new ArrayList<>(factors);
        sorted.sort((x, y) -> Integer.compare(top(y), top(x)));
        int node = yes();
        for (int factor : sorted) {
            node = and(node, factor);
        }
        return node;
    }

    /** The first variable a set tests; the terminals below every variable. */
    private int top(int node) {
        return node == yes() || node == no() ? Integer.MAX_VALUE : bdd.variable(node);
    }

    /** {@code cond ? then : otherwise}, packet by packet. */
    int ite(int cond, int then, int otherwise) {
        return keep(bdd.ifThenElse(cond, then, otherwise));
    }

    /**
     * The packets a match (a rule's header options and matches) matches, compiled once per space: both
     * rulesets of a comparison share most rules, and a ruleset repeats many matches.
     */
    int matchSet(Object match, IntSupplier compile) {
        Integer known = matchSets.get(match);
        if (known == null) {
            known = compile.getAsInt();
            matchSets.put(match, known);
        }
        return known;
    }

    /** What a chain does to all packets, worked out once per space for chains alike in both rulesets. */
    Map<String, Integer> chainOutcomes(Object chain, Supplier<Map<String, Integer>> compute) {
        Map<String, Integer> known = chainOutcomes.get(chain);
        if (known == null) {
            known = compute.get();
            chainOutcomes.put(chain, known);
        }
        return known;
    }

    int minus(int a, int b) {
        return keep(bdd.and(a, keep(bdd.not(b))));
    }

    /** The variable of bit {@code i} of the field, bit 0 the least significant. */
    int bit(Field f, int i) {
        return bdd.variableNode(variable(f, i));
    }

    /** The number of the variable of bit {@code i} of the field. */
    static int variable(Field f, int i) {
        return f.first() + f.width() - 1 - i;
    }

    /** Packets whose field, masked, equals {@code value} masked: any mask, contiguous or not. */
    int masked(Field f, byte[] value, byte[] mask) {
        int node = yes();
        for (int i = 0; i < f.width(); i++) {
            int byteIndex = (f.width() - 1 - i) / 8;
            int bitInByte = 7 - (f.width() - 1 - i) % 8;
            if ((mask[byteIndex] >> bitInByte & 1) == 0) {
                continue;
            }
            boolean one = (value[byteIndex] >> bitInByte & 1) == 1;
            node = and(node, one ? bit(f, i) : not(bit(f, i)));
        }
        return node;
    }

    int masked(Field f, long value, long mask) {
        int node = yes();
        for (int i = 0; i < f.width(); i++) {
            if ((mask >> i & 1) == 1) {
                node = and(node, (value >> i & 1) == 1 ? bit(f, i) : not(bit(f, i)));
            }
        }
        return node;
    }

    int equal(Field f, long value) {
        return masked(f, value, f.allOnes());
    }

    /** Packets whose field is within {@code [low, high]}, built bit by bit from the least significant. */
    int range(Field f, long low, long high) {
        if (low == high) {
            return equal(f, low);
        }
        int atMost = yes();
        int atLeast = yes();
        for (int i = 0; i < f.width(); i++) {
            int x = bit(f, i);
            atMost = (high >> i & 1) == 1 ? or(not(x), atMost) : and(not(x), atMost);
            atLeast = (low >> i & 1) == 0 ? or(x, atLeast) : and(x, atLeast);
        }
        return and(atMost, atLeast);
    }

    /** What a free variable stands for, in the words a result says when it hangs on its value. */
    private record Unknown(String ifTrue, String ifFalse) {
    }

    /** The variable standing for a match the encoding does not model, one per distinct match text. */
    int free(String match) {
        Integer variable = freeVariables.get(match);
        if (variable == null) {
            variable = newFree(new Unknown("`" + match + "' matches", "`" + match + "' does not match"));
            freeVariables.put(match, variable);
        }
        return bdd.variableNode(variable);
    }

    /**
     * A variable standing for a choice a target makes that the analysis cannot follow (whether it accepts),
     * one per {@code key}: what decides the choice, so the same target meeting the same packet chooses alike.
     */
    int choice(Object key, String ifTrue, String ifFalse) {
        Integer variable = choices.get(key);
        if (variable == null) {
            variable = newFree(new Unknown(ifTrue, ifFalse));
            choices.put(key, variable);
        }
        return bdd.variableNode(variable);
    }

    /**
     * A block of free variables standing for a value a target sets that the analysis cannot compute (HMARK's
     * hash), one per {@code key} as for {@link #choice}; {@code depends} says what a result hanging on it hangs on.
     */
    Field value(Object key, String name, int width, String depends) {
        Field known = values.get(key);
        if (known == null) {
            int first = bdd.numberOfVariables();
            for (int i = 0; i < width; i++) {
                newFree(new Unknown(depends, depends));
            }
            known = new Field(name, first, width);
            values.put(key, known);
        }
        return known;
    }

    private int newFree(Unknown unknown) {
        int variable = bdd.numberOfVariables();
        bdd.createVariable();
        unknowns.put(variable, unknown);
        return variable;
    }

    /** The variables of every unmodelled match and unfollowed effect, for quantifying them away. */
    BitSet freeSet() {
        BitSet set = new BitSet();
        unknowns.keySet().forEach(set::set);
        return set;
    }

    /** What a result that needs free variable {@code variable} to be {@code value} hangs on, in words. */
    String condition(int variable, boolean value) {
        Unknown unknown = unknowns.get(variable);
        return value ? unknown.ifTrue() : unknown.ifFalse();
    }

    /** Every variable but those of {@code field}. */
    BitSet allBut(Field field) {
        BitSet set = new BitSet();
        set.set(0, bdd.numberOfVariables());
        set.clear(field.first(), field.first() + field.width());
        return set;
    }

    int exists(int node, BitSet variables) {
        return keep(bdd.exists(node, variables));
    }

    /** The value of a field in a full assignment. */
    long value(Field f, BitSet assignment) {
        long v = 0;
        for (int i = 0; i < f.width(); i++) {
            if (assignment.get(f.first() + f.width() - 1 - i)) {
                v |= 1L << i;
            }
        }
        return v;
    }

    byte[] bytes(Field f, BitSet assignment) {
        byte[] out = new byte[f.width() / 8];
        for (int k = 0; k < f.width(); k++) {
            if (assignment.get(f.first() + k)) {
                out[k / 8] |= (byte) (0x80 >> (k % 8));
            }
        }
        return out;
    }

    /**
     * The packets that meet built-in {@code chain}: those of INPUT and PREROUTING have no output
     * interface, those of OUTPUT no input one, those of FORWARD both; POSTROUTING's have an output one.
     */
    int entering(String chain) {
        int inNone = equal(in, InterfaceDomain.NONE);
        int outNone = equal(out, InterfaceDomain.NONE);
        int node = wellFormed();
        node = switch (chain) {
            case "OUTPUT" -> and(node, inNone);
            case "INPUT", "PREROUTING", "FORWARD" -> and(node, not(inNone));
            default -> node;
        };
        return switch (chain) {
            case "INPUT", "PREROUTING" -> and(node, outNone);
            case "OUTPUT", "FORWARD", "POSTROUTING" -> and(node, not(outNone));
            default -> node;
        };
    }

    /**
     * The packets a field can hold in this space: interfaces and states are finite lists, and only a
     * packet of a connection conntrack already has (ESTABLISHED, RELATED) may find a mark or NAT on it,
     * which earlier packets' rules set, as the tracer has it; an IPv4 packet's length
     * counts at least its 20-byte header (the kernel drops a shorter one before any rule).
     */
    int wellFormed() {
        int node = range(in, 0, interfaces.size() - 1);
        if (family == Family.IPV4) {
            node = and(node, range(length, 20, length.allOnes()));
        }
        node = and(node, range(out, 0, interfaces.size() - 1));
        int existing = or(equal(ctState, io.rampart.trace.CtState.ESTABLISHED.ordinal()),
                equal(ctState, io.rampart.trace.CtState.RELATED.ordinal()));
        node = and(node, or(existing, and(equal(ctMark, 0), and(equal(dnat, 0), equal(snat, 0)))));
        return and(node, range(ctState, 0, io.rampart.trace.CtState.values().length - 1));
    }
}
