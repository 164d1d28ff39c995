package io.rampart.analysis;

import io.rampart.model.Chain;
import io.rampart.model.Policy;
import io.rampart.model.Ruleset;
import io.rampart.model.Table;
import io.rampart.model.TableRules;
import io.rampart.trace.CtState;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every table a packet meets, in the kernel's order of hooks and tables as rampart-trace's
 * {@code Tracer} has it: raw, conntrack, mangle and nat (only a connection's first packet) before
 * routing, then mangle, filter, security (and nat for INPUT) on its path, mangle and nat after
 * routing. Rules that change the packet (marks, connection marks, NOTRACK, NAT) change what later
 * rules see, through a {@link PacketState}. The packets are sets of packets as they arrive; the
 * path (INPUT, FORWARD or OUTPUT) is the route the packet takes, which without a routing table is
 * given with the packet (an output interface means forwarded), as it is to the tracer.
 */
final class Pipeline {

    /** Where the packets are decided that meet no table on their path: the kernel accepts them. */
    static final String NO_TABLE = "no table on its path";

    /** Where a packet is decided whose TTL (hop limit) is 1 or below when it is routed onwards. */
    static final String TTL_EXPIRED = "routing: the TTL expires before FORWARD";

    private final HeaderSpace space;
    private final Map<Table, ChainSemantics> tables = new EnumMap<>(Table.class);
    /** Per table, per rule, the arriving packets it matched on any path walked so far. */
    private final Map<Table, Map<Integer, Integer>> matched = new EnumMap<>(Table.class);
    /** Per table, per rule, the arriving packets that reached it on any path walked so far. */
    private final Map<Table, Map<Integer, Integer>> reached = new EnumMap<>(Table.class);

    /** The ruleset walked, as a key of what only the kernel knows (equal rulesets, equal keys). */
    private final Object identity;

    Pipeline(HeaderSpace space, RulesetDiff.Side side) {
        this.space = space;
        this.identity = new Identity(side.ruleset());
        for (TableRules table : side.ruleset().tables()) {
            tables.put(table.table(), new ChainSemantics(space, table, side.file(),
                    index -> side.locations().of(table.table(), index), true));
            matched.put(table.table(), new HashMap<>());
            reached.put(table.table(), new HashMap<>());
        }
    }

    /**
     * Whether the ruleset needs every table: rules or policies outside filter, a filter rule whose
     * target changes the packet, or one that reads the TTL. A filter-only ruleset is judged by its filter table alone, the same answer for less work.
     */
    static boolean needed(Ruleset ruleset) {
        for (TableRules table : ruleset.tables()) {
            boolean inert = table.rules().isEmpty() && table.chains().stream().allMatch(c ->
                    c.policyIfBuiltin().orElse(Policy.ACCEPT) == Policy.ACCEPT);
            if (table.table() != Table.FILTER && !inert) {
                return true;
            }
            Set<String> chains = table.chains().stream().map(Chain::name).collect(Collectors.toSet());
            if (table.rules().stream().anyMatch(r -> r.target() != null && !chains.contains(r.target().name())
                    && ChainSemantics.changesPacket(r.target(), ruleset.family()))) {
                return true;
            }
            // Routing lowers the TTL of what it forwards: a rule reading the TTL sees it after routing.
            if (table.rules().stream().anyMatch(r -> r.matches().stream().anyMatch(m ->
                    m.extension().equals("ttl") || m.extension().equals("hl")))) {
                return true;
            }
        }
        return false;
    }

    /** The rules of {@code table} (by index) that some packet reached on the paths walked so far. */
    Set<Integer> reached(Table table) {
        return reached.getOrDefault(table, Map.of()).keySet();
    }

    /** Whether some packet reached the rule and matched it on the paths walked so far. */
    boolean matched(Table table, int rule) {
        Integer packets = matched.getOrDefault(table, Map.of()).get(rule);
        return packets != null && packets != space.no();
    }

    /**
     * The decisions for the arriving packets {@code entering} that take {@code path}: disjoint, covering
     * them. A packet some table drops (or rejects, or queues) is decided by that rule or policy; one every
     * table lets through by the filter table's rule or policy that accepted it (the last table's when the
     * ruleset has no filter table).
     */
    List<ChainSemantics.Decision> decide(String path, int entering) {
        Walk walk = new Walk(entering);
        if (path.equals("OUTPUT")) {
            walk.hook("OUTPUT", Table.RAW);
            walk.state.conntrack();
            walk.hook("OUTPUT", Table.MANGLE, Table.NAT, Table.FILTER, Table.SECURITY);
        } else {
            walk.hook("PREROUTING", Table.RAW);
            walk.state.conntrack();
            walk.hook("PREROUTING", Table.MANGLE, Table.NAT);
            if (path.equals("INPUT")) {
                walk.hook("INPUT", Table.MANGLE, Table.FILTER, Table.SECURITY, Table.NAT);
                return walk.end(path);
            }
            walk.route();
            walk.hook("FORWARD", Table.MANGLE, Table.FILTER, Table.SECURITY);
        }
        walk.hook("POSTROUTING", Table.MANGLE, Table.NAT);
        return walk.end(path);
    }

    /** One path's walk: the packets still going, how each was decided so far, and the packet as it is now. */
    private final class Walk {

        final PacketState state = new PacketState(space, identity);
        final List<ChainSemantics.Decision> stopped = new ArrayList<>();
        List<ChainSemantics.Decision> accepting = new ArrayList<>();
        int alive;

        Walk(int entering) {
            alive = entering;
        }

        void hook(String hook, Table... order) {
            for (Table table : order) {
                ChainSemantics semantics = tables.get(table);
                if (semantics == null || !semantics.has(hook) || alive == space.no()) {
                    continue;
                }
                int packets = table == Table.NAT
                        ? space.and(alive, state.now(space.equal(space.ctState, CtState.NEW.ordinal()))) : alive;
                if (packets == space.no()) {
                    continue;
                }
                List<ChainSemantics.Decision> accepted = new ArrayList<>();
                for (ChainSemantics.Decision d : semantics.decide(hook, packets, state, reached.get(table),
                        matched.get(table))) {
                    if (d.verdict().equals("ACCEPT") && !semantics.ends(d)) {
                        accepted.add(d);
                    } else {
                        stopped.add(d);
                        alive = space.minus(alive, d.packets());
                    }
                }
                if (table == Table.FILTER || !tables.containsKey(Table.FILTER)) {
                    List<ChainSemantics.Decision> next = new ArrayList<>();
                    for (ChainSemantics.Decision d : accepting) {
                        restricted(d, space.minus(d.packets(), packets), next);
                    }
                    next.addAll(accepted);
                    accepting = next;
                }
            }
        }

        /**
         * Routing onwards, as the kernel's ip_forward and ip6_forward do it before FORWARD: a TTL or hop limit
         * of 1 or below expires (the packet is dropped with an ICMP time exceeded), the others go down by one.
         */
        void route() {
            int expired = space.and(alive, state.now(space.range(space.ttl, 0, 1)));
            if (expired != space.no()) {
                stopped.add(new ChainSemantics.Decision("DROP", Table.FILTER, "FORWARD", 0, TTL_EXPIRED, expired));
                alive = space.minus(alive, expired);
            }
            state.forwarded();
        }

        List<ChainSemantics.Decision> end(String path) {
            List<ChainSemantics.Decision> out = new ArrayList<>(stopped);
            int left = alive;
            for (ChainSemantics.Decision d : accepting) {
                restricted(d, space.and(d.packets(), alive), out);
                left = space.minus(left, d.packets());
            }
            // No table on this path: the kernel accepts.
            if (left != space.no()) {
                out.add(new ChainSemantics.Decision("ACCEPT", Table.FILTER, path, 0, NO_TABLE, left));
            }
            return out;
        }

        private void restricted(ChainSemantics.Decision d, int packets, List<ChainSemantics.Decision> out) {
            if (packets != space.no()) {
                out.add(new ChainSemantics.Decision(d.verdict(), d.table(), d.chain(), d.rule(), d.where(), packets));
            }
        }
    }

    /** A ruleset compared by value, its hash worked out once: a key used at every rule of a walk. */
    private static final class Identity {
        private final Ruleset ruleset;
        private final int hash;

        Identity(Ruleset ruleset) {
            this.ruleset = ruleset;
            this.hash = ruleset.hashCode();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Identity o && o.hash == hash && o.ruleset.equals(ruleset);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
