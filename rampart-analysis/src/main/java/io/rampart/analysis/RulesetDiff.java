package io.rampart.analysis;

import io.rampart.model.Family;
import io.rampart.model.Rule;
import io.rampart.model.RuleLocations;
import io.rampart.model.Ruleset;
import io.rampart.model.Table;
import io.rampart.model.TableRules;
import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.HostNames;
import io.rampart.trace.Assumptions;
import io.rampart.trace.CompiledRuleset;
import io.rampart.trace.CtState;
import io.rampart.trace.Host;
import io.rampart.trace.Packet;
import io.rampart.trace.PacketSpec;
import io.rampart.trace.Step;
import io.rampart.trace.Trace;
import io.rampart.trace.TraceInputException;
import io.rampart.trace.Tracer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether two rulesets decide every packet alike, and where they do not: every packet as it
 * arrives, on each path (to the host, INPUT; through it, FORWARD; from it, OUTPUT), through every
 * table it meets there ({@link Pipeline}; the filter table's chains alone when both rulesets have
 * nothing else). Every counterexample that
 * does not hang on an unmodelled match is traced through both rulesets before it is reported.
 */
public final class RulesetDiff {

    /** The built-in chains compared, in the order packets meet them. */
    static final List<String> CHAINS = List.of("INPUT", "FORWARD", "OUTPUT");

    /** One ruleset: its name for messages, its rules, and where each rule was written. */
    public record Side(String file, Ruleset ruleset, RuleLocations locations) {
    }

    /** How one ruleset decides a counterexample: the verdict and the rule, {@code file:line} or a policy. */
    public record Verdict(String verdict, String chain, int rule, String where) {
    }

    /**
     * A region of packets both rulesets decide differently, with one packet of it.
     *
     * @param region the region in words; {@code exact} says whether the words are the region itself
     *               or its bounds field by field
     * @param packet the counterexample as {@code trace} takes it, key to value
     * @param onlyIf the unmodelled matches the difference hangs on, each with "matches" or "does not match";
     *               empty when it holds whatever they do
     * @param traced whether the tracer confirmed the counterexample (it cannot when {@code onlyIf} is not empty)
     */
    public record Difference(String chain, String region, boolean exact, Map<String, String> packet, Verdict a,
                             Verdict b, List<String> onlyIf, boolean traced) {

        /** The packet as {@code rampart trace} flags. */
        public String flags() {
            return RulesetDiff.flags(packet);
        }
    }

    /** A packet in trace's keys as {@code rampart trace} flags. */
    public static String flags(Map<String, String> packet) {
        StringBuilder out = new StringBuilder();
        packet.forEach((key, value) -> {
            out.append(out.length() == 0 ? "" : " ").append("--").append(key.replace('_', '-'));
            if (!key.equals("local")) {
                out.append(' ').append(value);
            }
        });
        return out.toString();
    }

    /** The answer: equivalent, or up to {@code max} differences and whether more regions exist. */
    public record Result(String family, boolean equivalent, List<Difference> differences, boolean more) {
    }

    private final HeaderSpace space;
    private final Side a;
    private final Side b;
    private final Decider semanticsA;
    private final Decider semanticsB;
    private final Map<Side, Tracer> tracers = new IdentityHashMap<>();

    private final HostNames names;

    private RulesetDiff(Side a, Side b, HostNames names) {
        this.names = names;
        Family family = a.ruleset().family();
        if (b.ruleset().family() != family) {
            throw new IllegalArgumentException(a.file() + " is " + family.command() + ", " + b.file() + " is "
                    + b.ruleset().family().command() + ": only rulesets of one family compare");
        }
        this.a = a;
        this.b = b;
        Set<String> patterns = new TreeSet<>();
        interfacePatterns(a.ruleset(), patterns);
        interfacePatterns(b.ruleset(), patterns);
        // A table sized for both rulesets' sets, which share the one space: one that grows rehashes every node.
        space = new HeaderSpace(family, new InterfaceDomain(patterns),
                HeaderSpace.nodesFor(ruleCount(a.ruleset()) + ruleCount(b.ruleset())));
        boolean everyTable = Pipeline.needed(a.ruleset()) || Pipeline.needed(b.ruleset());
        semanticsA = everyTable ? Decider.of(space, new Pipeline(space, a)) : Decider.of(filter(space, a));
        semanticsB = everyTable ? Decider.of(space, new Pipeline(space, b)) : Decider.of(filter(space, b));
    }

    /**
     * How one ruleset decides the packets of a path (INPUT, FORWARD, OUTPUT): the packets of each
     * verdict, and the decision of one packet with the packets decided alike.
     */
    interface Decider {
        Map<String, Integer> verdicts(String path);

        ChainSemantics.Decision explain(String path, int domain, BitSet point);

        /** The decisions of every packet of {@code entering} on {@code path}, disjoint. */
        List<ChainSemantics.Decision> decide(String path, int entering);

        /**
         * The decisions of {@code path} some assignment of the free variables puts {@code point}'s packet in:
         * the one the tracer takes is among them, whatever value it computes where the analysis has none.
         */
        List<ChainSemantics.Decision> candidates(String path, int domain, BitSet point);

        /** The arriving packets of {@code path} whose TTL expires when routed onwards: they never meet FORWARD. */
        int expired(String path);

        /** A filter-only ruleset: its filter table's chains, worked out backwards. */
        static Decider of(ChainSemantics filter) {
            return new Decider() {
                public Map<String, Integer> verdicts(String path) {
                    return filter.outcomes(path);
                }

                public ChainSemantics.Decision explain(String path, int domain, BitSet point) {
                    return filter.explain(path, domain, point);
                }

                public List<ChainSemantics.Decision> decide(String path, int entering) {
                    return filter.decide(path, entering);
                }

                public List<ChainSemantics.Decision> candidates(String path, int domain, BitSet point) {
                    return List.of(filter.explain(path, domain, point));
                }

                // The filter table changes no TTL: the packets that arrive with one of 1 or below expire.
                public int expired(String path) {
                    HeaderSpace space = filter.space();
                    return path.equals("FORWARD") ? space.range(space.ttl, 0, 1) : space.no();
                }
            };
        }

        /** Any ruleset: every table on the path, walked forwards with the packets' changes. */
        static Decider of(HeaderSpace space, Pipeline pipeline) {
            Map<String, List<ChainSemantics.Decision>> byPath = new HashMap<>();
            return new Decider() {
                public Map<String, Integer> verdicts(String path) {
                    Map<String, Integer> out = new LinkedHashMap<>();
                    all(path).forEach(d -> out.merge(d.verdict(), d.packets(), space::or));
                    return out;
                }

                public ChainSemantics.Decision explain(String path, int domain, BitSet point) {
                    return all(path).stream().filter(d -> space.bdd().evaluate(d.packets(), point)).findFirst()
                            .orElseThrow();
                }

                public List<ChainSemantics.Decision> decide(String path, int entering) {
                    return pipeline.decide(path, entering);
                }

                public List<ChainSemantics.Decision> candidates(String path, int domain, BitSet point) {
                    BitSet free = space.freeSet();
                    return all(path).stream().filter(d -> space.bdd().evaluate(d.packets(), point)
                            || !free.isEmpty() && space.bdd().evaluate(space.exists(d.packets(), free), point))
                            .toList();
                }

                public int expired(String path) {
                    return space.union(all(path).stream().filter(d -> d.where().equals(Pipeline.TTL_EXPIRED))
                            .map(ChainSemantics.Decision::packets).toList());
                }

                private List<ChainSemantics.Decision> all(String path) {
                    return byPath.computeIfAbsent(path, p -> pipeline.decide(p, space.entering(p)));
                }
            };
        }
    }

    /** A side by its filter table alone. */
    static ChainSemantics filter(HeaderSpace space, Side side) {
        TableRules filter = side.ruleset().table(Table.FILTER)
                .orElse(new TableRules(Table.FILTER, List.of(), List.of()));
        return new ChainSemantics(space, filter, side.file(), index -> side.locations().of(Table.FILTER, index));
    }

    /**
     * Compares {@code a} with {@code b}, listing at most {@code max} differences, their regions'
     * protocols named as {@code names} name them.
     */
    public static Result compare(Side a, Side b, int max, HostNames names) {
        return new RulesetDiff(a, b, names).run(max);
    }

    static void interfacePatterns(Ruleset ruleset, Set<String> out) {
        for (TableRules t : ruleset.tables()) {
            for (Rule rule : t.rules()) {
                rule.header().stream().filter(o -> o.name().equals("i") || o.name().equals("o"))
                        .forEach(o -> out.add(o.arg()));
            }
        }
    }

    private Result run(int max) {
        List<Difference> found = new ArrayList<>();
        boolean more = false;
        for (String chain : CHAINS) {
            int domain = space.entering(chain);
            Map<String, Integer> verdictsA = semanticsA.verdicts(chain);
            Map<String, Integer> verdictsB = semanticsB.verdicts(chain);
            // After the walks: a target the analysis cannot follow adds free variables on the way.
            BitSet free = space.freeSet();
            List<Integer> parts = new ArrayList<>();
            verdictsA.forEach((verdict, packets) ->
                    parts.add(space.minus(packets, verdictsB.getOrDefault(verdict, space.no()))));
            // Packets whose TTL expires in both never meet FORWARD: no difference, and no words for them.
            int expired = space.and(semanticsA.expired(chain), semanticsB.expired(chain));
            int met = space.minus(domain, expired);
            int differ = space.and(met, space.union(parts));
            // Where the difference holds whatever the unmodelled matches and unfollowed effects do.
            int always = space.not(space.exists(space.not(differ), free));
            while (differ != space.no()) {
                if (found.size() >= max) {
                    more = true;
                    break;
                }
                boolean certain = always != space.no();
                BitSet point = space.bdd().getSatisfyingAssignment(typical(space, certain ? always : differ));
                Found next = certain ? traced(chain, met, point) : conditional(chain, met, point, List.of());
                found.add(next.difference());
                differ = space.minus(differ, next.region());
                always = space.minus(always, next.region());
            }
        }
        return new Result(space.family().command(), found.isEmpty(), found, more);
    }

    private static int ruleCount(Ruleset ruleset) {
        return ruleset.tables().stream().mapToInt(t -> t.rules().size()).sum();
    }

    /**
     * The packets of {@code set} closest to trace's defaults (tcp SYN, new, from port 40000, documentation
     * addresses), each preference kept only when some packet of the set meets it: readable counterexamples.
     */
    static int typical(HeaderSpace space, int set) {
        int node = set;
        boolean v4 = space.family() == Family.IPV4;
        byte[] src = v4 ? new byte[] {(byte) 192, 0, 2, 1} : documentation(1);
        byte[] dst = v4 ? new byte[] {(byte) 198, 51, 100, 1} : documentation(2);
        byte[] all = new byte[src.length];
        java.util.Arrays.fill(all, (byte) 0xff);
        int[] preferences = {space.equal(space.proto, 6), space.equal(space.tcpFlags, 2),
            space.equal(space.ctState, CtState.NEW.ordinal()), space.equal(space.sport, 40000),
            space.equal(space.dport, 80), space.masked(space.src, src, all), space.masked(space.dst, dst, all),
            space.equal(space.icmpType, v4 ? 8 : 128), space.equal(space.ttl, PacketSpec.DEFAULT_TTL),
            space.equal(space.tos, 0), defaultLength(space), space.equal(space.ctMark, 0),
            space.equal(space.dnat, 0), space.equal(space.snat, 0)};
        for (int preference : preferences) {
            int narrower = space.and(node, preference);
            if (narrower != space.no()) {
                node = narrower;
            }
        }
        return node;
    }

    /** The packets whose length is the one trace gives a packet of their protocol without {@code length}. */
    private static int defaultLength(HeaderSpace space) {
        Family family = space.family();
        List<Integer> protocols = new ArrayList<>();
        int named = space.no();
        for (int proto : new int[] {Packet.TCP, Packet.UDP, family == Family.IPV4 ? Packet.ICMP : Packet.ICMPV6}) {
            int is = space.equal(space.proto, proto);
            named = space.or(named, is);
            protocols.add(space.and(is, lengthOf(space, PacketSpec.defaultLength(family, proto))));
        }
        protocols.add(space.minus(lengthOf(space, PacketSpec.defaultLength(family, 0)), named));
        return space.union(protocols);
    }

    private static int lengthOf(HeaderSpace space, long length) {
        return space.equal(space.length, space.lengthField(length));
    }

    /** An address of 2001:db8::/32, the IPv6 documentation prefix. */
    private static byte[] documentation(int last) {
        byte[] address = new byte[16];
        address[0] = 0x20;
        address[1] = 0x01;
        address[2] = 0x0d;
        address[3] = (byte) 0xb8;
        address[15] = (byte) last;
        return address;
    }

    /** One difference and the packets it stands for, taken out before the next is looked for. */
    private record Found(Difference difference, int region) {
    }

    /**
     * A difference that holds whatever unmodelled matches and unfollowed effects do, confirmed by tracing it
     * through both rulesets; where the tracer cannot decide the packet, a difference that hangs on that rule.
     */
    private Found traced(String chain, int domain, BitSet point) {
        BitSet found = (BitSet) point.clone();
        // The tracer takes the unmodelled matches it can as matching; the difference holds either way.
        space.freeSet().stream().forEach(point::set);
        Map<String, String> packet = packet(space, chain, point);
        Tracer tracerA = tracer(a);
        Tracer tracerB = tracer(b);
        Optional<ChainSemantics.Decision> x = confirm(space, tracerA, a, chain, packet, point,
                semanticsA.candidates(chain, domain, point));
        Optional<ChainSemantics.Decision> y = confirm(space, tracerB, b, chain, packet, point,
                semanticsB.candidates(chain, domain, point));
        if (x.isEmpty() || y.isEmpty()) {
            List<Stop> undecided = new ArrayList<>();
            undecidedAt(tracerA, a, packet).ifPresent(undecided::add);
            undecidedAt(tracerB, b, packet).ifPresent(undecided::add);
            return conditional(chain, domain, found, undecided);
        }
        if (x.get().verdict().equals(y.get().verdict())) {
            throw new IllegalStateException("self-check failed: the tracer gives " + x.get().verdict() + " by "
                    + x.get().where() + " and " + y.get().where() + " to --" + String.join(" --", packet.keySet())
                    + " " + packet);
        }
        int region = space.and(space.exists(x.get().packets(), space.freeSet()),
                space.exists(y.get().packets(), space.freeSet()));
        RegionText text = new RegionText(space, region, domain, names);
        return new Found(new Difference(chain, text.describe(), text.exact(), packet, verdict(x.get()),
                verdict(y.get()), List.of(), true), region);
    }

    /**
     * A difference that hangs on unmodelled matches or unfollowed effects: which ones, and how they must
     * come out; {@code undecided}, the rules the tracer could not decide the packet at.
     */
    private Found conditional(String chain, int domain, BitSet point, List<Stop> undecided) {
        ChainSemantics.Decision x = semanticsA.explain(chain, domain, point);
        ChainSemantics.Decision y = semanticsB.explain(chain, domain, point);
        int region = space.and(x.packets(), y.packets());
        RegionText text = new RegionText(space, fixedAsIn(space, region, point), domain, names);
        Set<String> onlyIf = new LinkedHashSet<>(onlyIf(space, region, point));
        for (Stop stop : undecided) {
            if (onlyIf.stream().noneMatch(c -> c.contains("' at " + stop.where() + " "))) {
                onlyIf.add(stop.condition());
            }
        }
        return new Found(new Difference(chain, text.describe(), text.exact(), packet(space, chain, point), verdict(x),
                verdict(y), List.copyOf(onlyIf), false), region);
    }

    /** A rule the tracer stopped at, where it was written, and the condition a result hanging on it says. */
    record Stop(String where, String condition) {
    }

    /** What the tracer stops at when it traces {@code packet} through {@code side}. */
    static Optional<Stop> undecidedAt(Tracer tracer, Side side, Map<String, String> packet) {
        try {
            PacketSpec spec = new PacketSpec();
            packet.forEach(spec::set);
            Trace trace = tracer.trace(spec.build(side.ruleset().family()));
            if (!trace.isUndecided()) {
                return Optional.empty();
            }
            Trace.Undecided u = trace.undecided();
            String where = u.source() != null ? u.source() : u.table() + " " + u.chain() + " rule " + u.rule();
            return Optional.of(new Stop(where, "`" + u.condition() + "' at " + where + " decides so"));
        } catch (TraceInputException e) {
            throw new IllegalStateException("self-check failed: the tracer refuses the counterexample " + packet
                    + ": " + e.getMessage(), e);
        }
    }

    /** The unmodelled matches {@code region} hangs on, each as {@code point} has it: "`-m ...' matches". */
    static List<String> onlyIf(HeaderSpace space, int region, BitSet point) {
        BitSet support = space.bdd().support(region);
        support.and(space.freeSet());
        Set<String> onlyIf = new LinkedHashSet<>();
        support.stream().forEach(v -> onlyIf.add(space.condition(v, point.get(v))));
        return List.copyOf(onlyIf);
    }

    /** {@code region} with the unmodelled matches it hangs on fixed as {@code point} has them. */
    static int fixedAsIn(HeaderSpace space, int region, BitSet point) {
        BitSet fixed = space.bdd().support(region);
        fixed.and(space.freeSet());
        return space.keep(space.bdd().restrict(region, fixed, point));
    }

    private Tracer tracer(Side side) {
        return tracers.computeIfAbsent(side, s -> new Tracer(CompiledRuleset.of(s.ruleset(), s.locations()),
                Host.unknown(), Assumptions.none(), false));
    }

    /**
     * Traces {@code packet} (the assignment {@code point}) with {@code tracer}: the decision of the rule
     * the tracer ends on, which must be one of {@code decisions} holding the point, or the self-check fails;
     * empty when the tracer stops at a match it cannot evaluate.
     */
    static Optional<ChainSemantics.Decision> confirm(HeaderSpace space, Tracer tracer, Side side, String chain,
                                                     Map<String, String> packet, BitSet point,
                                                     List<ChainSemantics.Decision> decisions) {
        Trace trace;
        try {
            PacketSpec spec = new PacketSpec();
            packet.forEach(spec::set);
            trace = tracer.trace(spec.build(side.ruleset().family()));
        } catch (TraceInputException e) {
            throw new IllegalStateException("self-check failed: the tracer refuses the counterexample " + packet
                    + ": " + e.getMessage(), e);
        }
        if (trace.isUndecided()) {
            return Optional.empty();
        }
        for (ChainSemantics.Decision d : decisions) {
            if (space.bdd().evaluate(space.exists(d.packets(), space.freeSet()), point) && shows(trace, d)) {
                return Optional.of(d);
            }
        }
        throw new IllegalStateException("self-check failed: in " + side.file() + " the tracer gives " + packet
                + " " + trace.verdict() + " by " + trace.steps().stream().map(s -> s.table() + " " + s.chain() + " "
                + (s.isPolicy() ? "policy" : "rule " + s.rule())).toList() + ", the analysis " + decisions.stream()
                .map(d -> d.verdict() + " by " + d.table().label() + " " + d.chain() + " rule " + d.rule()).toList());
    }

    /**
     * Whether the trace takes decision {@code d}: the verdict alike, and the deciding rule (or policy)
     * one of its steps, the last when the packet is not accepted.
     */
    private static boolean shows(Trace trace, ChainSemantics.Decision d) {
        boolean accepted = d.verdict().equals("ACCEPT");
        if (accepted != trace.verdict().equals("ACCEPT")) {
            return false;
        }
        if (d.where().equals(Pipeline.NO_TABLE)) {
            return trace.steps().isEmpty();
        }
        if (d.where().equals(Pipeline.TTL_EXPIRED)) {
            return trace.notes().stream().anyMatch(n -> n.contains(Tracer.TTL_EXPIRES));
        }
        List<Step> steps = trace.steps();
        for (int i = steps.size() - 1; i >= 0; i--) {
            Step step = steps.get(i);
            boolean same = step.table().equals(d.table().label()) && step.chain().equals(d.chain())
                    && (d.isPolicy() ? step.isPolicy() : !step.isPolicy() && step.rule() == d.rule());
            if (same) {
                return true;
            }
            if (!accepted) {
                return false;
            }
        }
        return false;
    }

    private static Verdict verdict(ChainSemantics.Decision d) {
        return new Verdict(d.verdict(), d.chain(), d.rule(), d.where());
    }

    /** The point as {@code trace} takes it: only the fields its protocol has. */
    static Map<String, String> packet(HeaderSpace space, String chain, BitSet point) {
        Map<String, String> out = new LinkedHashMap<>();
        int in = (int) space.value(space.in, point);
        int outIface = (int) space.value(space.out, point);
        if (in != InterfaceDomain.NONE) {
            out.put("in", space.interfaces().name(in));
        }
        if (outIface != InterfaceDomain.NONE) {
            out.put("out", space.interfaces().name(outIface));
        }
        if (chain.equals("OUTPUT")) {
            out.put("local", "true");
        }
        out.put("src", Addresses.format(space.bytes(space.src, point)));
        out.put("dst", Addresses.format(space.bytes(space.dst, point)));
        int proto = (int) space.value(space.proto, point);
        out.put("proto", String.valueOf(proto));
        if (proto == 6 || proto == 17 || proto == 132 || proto == 33 || proto == 136) {
            out.put("sport", String.valueOf(space.value(space.sport, point)));
            out.put("dport", String.valueOf(space.value(space.dport, point)));
        }
        if (proto == 6) {
            out.put("tcp_flags", MatchCompiler.flagNames(space.value(space.tcpFlags, point)));
        }
        if (proto == (space.family() == Family.IPV4 ? 1 : 58)) {
            out.put("icmp_type", space.value(space.icmpType, point) + "/" + space.value(space.icmpCode, point));
        }
        // The TTL and TOS only where they are not trace's defaults, as few counterexamples need them.
        long ttl = space.value(space.ttl, point);
        if (ttl != PacketSpec.DEFAULT_TTL) {
            out.put("ttl", String.valueOf(ttl));
        }
        long tos = space.value(space.tos, point);
        if (tos != 0) {
            out.put("tos", "0x" + Long.toHexString(tos));
        }
        long length = space.layer3Length(space.value(space.length, point));
        if (length != PacketSpec.defaultLength(space.family(), proto)) {
            out.put("length", String.valueOf(length));
        }
        out.put("mark", "0x" + Long.toHexString(space.value(space.mark, point)));
        CtState state = CtState.values()[(int) space.value(space.ctState, point)];
        out.put("ct_state", state.name());
        if (state.existingConnection()) {
            long ctMark = space.value(space.ctMark, point);
            if (ctMark != 0) {
                out.put("ct_mark", "0x" + Long.toHexString(ctMark));
            }
            boolean snat = space.value(space.snat, point) == 1;
            boolean dnat = space.value(space.dnat, point) == 1;
            if (snat || dnat) {
                out.put("ct_nat", snat && dnat ? "SNAT,DNAT" : snat ? "SNAT" : "DNAT");
            }
        }
        return out;
    }

}
