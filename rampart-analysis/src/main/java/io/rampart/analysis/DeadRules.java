package io.rampart.analysis;

import io.rampart.model.Rule;
import io.rampart.model.RuleLocations;
import io.rampart.model.Ruleset;
import io.rampart.model.Table;
import io.rampart.model.TableRules;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Rules that never matter, over all packets at once: rules no packet reaches and matches (the rules
 * before them take all their packets on every path into their chain, through user chains), and
 * rules whose removal changes no packet's verdict on any path, through user chains: what a user
 * chain sends back is decided by each caller after its jump. Each table by itself, with every
 * packet entering its chains. A ruleset whose rules change packets (marks, NOTRACK, NAT) is also
 * walked through all its tables in the kernel's order ({@link Pipeline}): a rule that no packet
 * reaching it matches on any path is unreachable, in any table; which rule takes its packets is
 * then not worked out.
 */
public final class DeadRules {

    /** At most this many covering rules are named. */
    private static final int NAMED = 3;

    /** Up to this many rules that take a dead rule's packets are narrowed to those needed. */
    private static final int MINIMIZED = 16;

    /**
     * The outcome of packets a user chain sends back that a caller's policy then decides. It equals
     * no verdict: a user chain's verdict is not reported as one its callers' policies would repeat
     * (a LOGDROP chain's DROP, called from chains whose policy is DROP), since the chain says what
     * becomes of its packets wherever it is called from, and its callers' ends are no decision.
     */
    private static final String CALLERS_POLICY = "\0policy";

    public enum Kind { UNREACHABLE, REDUNDANT }

    /** One rule that never matters, by its index in its table, and why in words. */
    public record Finding(Table table, int rule, Kind kind, String message) {
    }

    /** A rule that sends packets into a user chain: where it is and the packets it sends. */
    private record Entry(String chain, int position, int rule, boolean isGoto, int packets) {
    }

    private final HeaderSpace space;
    private final ChainSemantics semantics;
    private final Table table;
    private final RuleLocations locations;
    private final Set<String> declared = new HashSet<>();
    /** Per user chain, the rules that send packets into it, callers judged before it. */
    private final Map<String, List<Entry>> entries = new HashMap<>();
    /**
     * Per user chain, what becomes of the packets it sends back: each final outcome with the
     * packets that get it on some path into the chain (a packet may enter on several paths).
     */
    private final Map<String, Map<String, Integer>> returned = new HashMap<>();
    /** Per user chain, the packets that get each outcome on every path they go back on. */
    private final Map<String, Map<String, Integer>> surely = new HashMap<>();
    private final Map<String, Boolean> verdictsOnly = new HashMap<>();
    private final Set<Integer> unreachable = new HashSet<>();
    private final Map<String, Overlaps> overlaps = new HashMap<>();

    private DeadRules(HeaderSpace space, ChainSemantics semantics, Table table,
                      RuleLocations locations) {
        this.space = space;
        this.semantics = semantics;
        this.table = table;
        this.locations = locations;
    }

    /**
     * The rules of every table it can judge that never matter, table by table in rule order.
     *
     * @throws AnalysisBoundException when the ruleset needs more decision-diagram nodes than
     *     {@link HeaderSpace#boundFor} its number of rules: the analysis is then not done
     */
    public static List<Finding> find(Ruleset ruleset, RuleLocations locations) {
        return find(ruleset, locations, HeaderSpace.boundFor(ruleset.tables().stream()
                .mapToInt(t -> t.rules().size()).sum()));
    }

    /** As {@link #find(Ruleset, RuleLocations)}, each space holding at most {@code bound} nodes. */
    static List<Finding> find(Ruleset ruleset, RuleLocations locations, long bound) {
        List<Finding> out = new ArrayList<>();
        boolean everyTable = Pipeline.needed(ruleset);
        for (TableRules rules : ruleset.tables()) {
            if (rules.rules().size() < 2) {
                continue;
            }
            Set<String> patterns = new TreeSet<>();
            for (Rule rule : rules.rules()) {
                rule.header().stream().filter(o -> o.name().equals("i") || o.name().equals("o"))
                        .forEach(o -> patterns.add(o.arg()));
            }
            HeaderSpace space = new HeaderSpace(ruleset.family(), new InterfaceDomain(patterns),
                    HeaderSpace.nodesFor(rules.rules().size()), bound);
            try {
                ChainSemantics semantics = new ChainSemantics(space, rules, "", i -> locations.of(rules.table(), i));
                new DeadRules(space, semantics, rules.table(), locations).judge(rules, everyTable, out);
            } catch (UnsupportedRulesetException e) {
                // Targets that change packets, or chains too deep: the walk through every table judges it.
            }
        }
        if (everyTable) {
            acrossTables(ruleset, locations, out, bound);
        }
        return out;
    }

    /** The rules that no packet reaching them matches on any path through every table, unless already found. */
    private static void acrossTables(Ruleset ruleset, RuleLocations locations, List<Finding> out, long bound) {
        Set<String> patterns = new TreeSet<>();
        RulesetDiff.interfacePatterns(ruleset, patterns);
        HeaderSpace space = new HeaderSpace(ruleset.family(), new InterfaceDomain(patterns),
                HeaderSpace.nodesFor(ruleset.tables().stream().mapToInt(t -> t.rules().size()).sum()), bound);
        Pipeline pipeline;
        try {
            pipeline = new Pipeline(space, new RulesetDiff.Side("", ruleset, locations));
            for (String path : RulesetDiff.CHAINS) {
                pipeline.decide(path, space.entering(path));
            }
        } catch (UnsupportedRulesetException e) {
            return;
        }
        Set<List<Object>> known = new HashSet<>();
        out.forEach(f -> known.add(List.of(f.table(), f.rule())));
        List<Finding> found = new ArrayList<>();
        for (TableRules rules : ruleset.tables()) {
            for (int rule : new TreeSet<>(pipeline.reached(rules.table()))) {
                if (!pipeline.matched(rules.table(), rule) && !known.contains(List.of(rules.table(), rule))) {
                    found.add(new Finding(rules.table(), rule, Kind.UNREACHABLE, "rule never matches: no packet"
                            + " that reaches it matches it, through what the rules before it (in this table and"
                            + " the tables before) do to packets"));
                }
            }
        }
        out.addAll(found);
        out.sort(java.util.Comparator.comparing(Finding::table).thenComparingInt(Finding::rule));
    }

    /**
     * Judges each chain once, callers before callees, with every packet that enters it from any
     * path: a chain does the same to a packet wherever it came from, so the packets that arrive at
     * a rule over all paths are those entering its chain that pass the rules before it.
     */
    private void judge(TableRules rules, boolean everyTable, List<Finding> out) {
        rules.chains().forEach(c -> declared.add(c.name()));
        Map<String, Integer> entering = new HashMap<>();
        BitSet changed = new BitSet();
        if (everyTable) {
            // Other tables set connection marks and NAT connections: a chain may meet any of them.
            for (HeaderSpace.Field f : List.of(space.ctMark, space.dnat, space.snat)) {
                changed.set(f.first(), f.first() + f.width());
            }
        }
        for (String chain : semantics.chainNames()) {
            if (semantics.policyOf(chain) != null) {
                entering.put(chain, space.exists(space.entering(chain), changed));
            }
        }
        List<Finding> found = new ArrayList<>();
        for (String chain : callersFirst(entering.keySet())) {
            Integer packets = entering.get(chain);
            List<Integer> order = semantics.rulesOf(chain);
            if (packets == null || order.isEmpty()) {
                continue;
            }
            int[] arriving = new int[order.size()];
            int remaining = packets;
            for (int position = 0; position < order.size(); position++) {
                int rule = order.get(position);
                arriving[position] = remaining;
                String callee = semantics.calleeOf(rule);
                if (callee != null) {
                    entering.merge(callee, space.and(remaining, semantics.matchOf(rule)), space::or);
                }
                remaining = space.and(remaining, semantics.passing(rule));
            }
            judge(chain, order, arriving, found);
        }
        found.sort((x, y) -> Integer.compare(x.rule(), y.rule()));
        out.addAll(found);
    }

    private void judge(String chain, List<Integer> order, int[] arriving, List<Finding> found) {
        int[] matched = new int[order.size()];
        for (int position = 0; position < order.size(); position++) {
            int rule = order.get(position);
            matched[position] = space.and(arriving[position], semantics.matchOf(rule));
            if (matched[position] == space.no()) {
                unreachable.add(rule);
                found.add(new Finding(table, rule, Kind.UNREACHABLE, unreachable(chain, order, arriving, position)));
            }
        }
        Rests rests = new Rests(chain, order);
        for (int position = 0; position < order.size(); position++) {
            int rule = order.get(position);
            if (unreachable.contains(rule)) {
                continue;
            }
            String callee = semantics.calleeOf(rule);
            Map<String, Integer> decided = decided(chain, rule, matched[position]);
            if (decided == null && callee == null) {
                continue;
            }
            // A verdict's rest need only go as far as shows it is not covered; a jump's is recorded whole.
            String only = callee == null && decided.size() == 1 && !decided.containsKey(ChainSemantics.RETURN)
                    ? decided.keySet().iterator().next() : null;
            ChainSemantics.Rest rest = rests.after(position, matched[position], only);
            if (callee != null) {
                enter(callee, new Entry(chain, position, rule, semantics.isGoto(rule), matched[position]),
                        rest.outcomes(), rest.end());
            }
            if (decided != null && decided.entrySet().stream().allMatch(e -> covered(chain, e.getKey(), e.getValue(),
                    rest.outcomes()))) {
                redundant(chain, order, position, decided, rest.outcomes(), found);
            }
        }
    }

    /**
     * What the rules after each position of one chain do to some of the packets the rule there
     * matches: walked forwards through the later rules that may meet them, or, in a chain where
     * those are many (rules that name no networks), read from the chain's sets worked out
     * backwards, which cost a few operations on large sets per rule, once.
     */
    private final class Rests {
        /** Forwards while the later rules met number at most this many per rule of the chain. */
        private static final int FORWARD_WORK = 64;

        private final String chain;
        private final List<Integer> order;
        private final boolean forward;
        private Map<Integer, Map<String, Integer>> after;
        private Map<Integer, Integer> ends;

        Rests(String chain, List<Integer> order) {
            this.chain = chain;
            this.order = order;
            long bound = (long) FORWARD_WORK * order.size() + 1024;
            this.forward = overlaps(chain).total(bound) <= bound;
        }

        /** With {@code only}, possibly cut short as {@link ChainSemantics#restOf(String, List, int, String)} says. */
        ChainSemantics.Rest after(int position, int packets, String only) {
            if (forward) {
                return semantics.restOf(chain, overlaps(chain).after(position), packets, only);
            }
            if (after == null) {
                after = semantics.outcomesAfter(chain);
                ends = semantics.endsAfter(chain);
            }
            int rule = order.get(position);
            Map<String, Integer> outcomes = new HashMap<>();
            after.get(rule).forEach((outcome, p) -> {
                int taken = space.and(packets, p);
                if (taken != space.no()) {
                    outcomes.put(outcome, taken);
                }
            });
            return new ChainSemantics.Rest(outcomes, space.and(packets, ends.get(rule)));
        }
    }

    private Overlaps overlaps(String chain) {
        return overlaps.computeIfAbsent(chain, c -> new Overlaps(semantics.rulesOf(c).stream()
                .map(semantics::ruleOf).toList()));
    }

    /**
     * What the rule at {@code index} decides for its {@code packets} by itself, outcome by outcome
     * as {@link ChainSemantics#outcomes} names them (a goto's packets that come back by the end
     * of its chain); null for a rule that is no verdict, RETURN, or jump or goto to a chain of
     * verdicts alone (LOG, MARK and the like are not judged), and for a jump whose chain sends
     * every packet back: such a chain is a place to fill, often by other programs.
     */
    private Map<String, Integer> decided(String chain, int index, int packets) {
        String outcome = semantics.outcomeOf(index);
        if (outcome != null) {
            return Map.of(outcome, packets);
        }
        String callee = semantics.calleeOf(index);
        if (callee == null || !verdictsOnly(callee)) {
            return null;
        }
        Map<String, Integer> decided = new HashMap<>();
        boolean isGoto = semantics.isGoto(index);
        semantics.outcomes(callee).forEach((calleeOutcome, sets) -> {
            boolean back = calleeOutcome.equals(ChainSemantics.RETURN);
            int taken = space.and(packets, sets);
            // Packets a jump's chain sends back go on as they would without the jump.
            if ((isGoto || !back) && taken != space.no()) {
                decided.merge(back ? endOf(chain) : calleeOutcome, taken, space::or);
            }
        });
        return decided.isEmpty() ? null : decided;
    }

    /** The outcome of packets that reach the end of {@code chain}: its policy, or RETURN. */
    private String endOf(String chain) {
        io.rampart.model.Policy policy = semantics.policyOf(chain);
        return policy == null ? ChainSemantics.RETURN : policy.name();
    }

    /** Whether {@code chain} and every chain it calls hold only verdicts, RETURNs, jumps and gotos. */
    private boolean verdictsOnly(String chain) {
        Boolean known = verdictsOnly.get(chain);
        if (known != null) {
            return known;
        }
        boolean only = true;
        for (int rule : semantics.rulesOf(chain)) {
            String callee = semantics.calleeOf(rule);
            only &= callee != null ? verdictsOnly(callee) : semantics.outcomeOf(rule) != null;
        }
        verdictsOnly.put(chain, only);
        return only;
    }

    /**
     * Records what becomes of the packets {@code callee} sends back to the rule {@code entry}
     * names: after a jump, what its chain's later rules ({@code rest}) and, past its end, its own
     * callers do with them; after a goto, what becomes of what its chain sends back. {@code end}: of
     * a built-in chain, the packets of {@code rest} its policy decides.
     */
    private void enter(String callee, Entry entry, Map<String, Integer> rest, int end) {
        entries.computeIfAbsent(callee, c -> new ArrayList<>()).add(entry);
        Map<String, Integer> outcomes = returned.computeIfAbsent(callee, c -> new HashMap<>());
        int packets = entry.packets();
        boolean builtin = semantics.policyOf(entry.chain()) != null;
        if (entry.isGoto()) {
            if (builtin) {
                outcomes.merge(CALLERS_POLICY, packets, space::or);
            } else {
                returned.get(entry.chain()).forEach((o, p) -> outcomes.merge(o, space.and(packets, p), space::or));
            }
            return;
        }
        rest.forEach((outcome, p) -> {
            int taken = space.and(packets, p);
            if (outcome.equals(ChainSemantics.RETURN)) {
                returned.get(entry.chain()).forEach((o, q) -> outcomes.merge(o, space.and(taken, q), space::or));
            } else if (builtin && outcome.equals(endOf(entry.chain()))) {
                int byPolicy = space.and(taken, end);
                outcomes.merge(CALLERS_POLICY, byPolicy, space::or);
                outcomes.merge(outcome, space.minus(taken, byPolicy), space::or);
            } else {
                outcomes.merge(outcome, taken, space::or);
            }
        });
    }

    /**
     * Whether the {@code packets} a rule of {@code chain} gives {@code outcome} get the same final
     * outcome without it on every path, the chain's later rules deciding them as {@code rest} says.
     * In a user chain, a verdict is kept when the packets would go back and get it from every
     * caller, and packets sent back when the later rules give them what every caller would.
     */
    private boolean covered(String chain, String outcome, int packets, Map<String, Integer> rest) {
        if (space.bdd().implies(packets, rest.getOrDefault(outcome, space.no()))) {
            return true;
        }
        if (semantics.policyOf(chain) != null) {
            return false;
        }
        int back = rest.getOrDefault(ChainSemantics.RETURN, space.no());
        Map<String, Integer> sure = surely(chain);
        if (!outcome.equals(ChainSemantics.RETURN)) {
            int left = space.minus(packets, rest.getOrDefault(outcome, space.no()));
            return space.bdd().implies(left, back) && space.bdd().implies(left, sure.getOrDefault(outcome, space.no()));
        }
        for (Map.Entry<String, Integer> e : rest.entrySet()) {
            int decided = space.and(packets, e.getValue());
            if (!e.getKey().equals(ChainSemantics.RETURN) && decided != space.no()
                    && !space.bdd().implies(decided, sure.getOrDefault(e.getKey(), space.no()))) {
                return false;
            }
        }
        return true;
    }

    /** Per outcome, the packets {@code chain} sends back that get it on every path. */
    private Map<String, Integer> surely(String chain) {
        return surely.computeIfAbsent(chain, c -> {
            Map<String, Integer> possible = returned.getOrDefault(c, Map.of());
            Map<String, Integer> sure = new HashMap<>();
            possible.forEach((outcome, packets) -> {
                int only = packets;
                for (Map.Entry<String, Integer> other : possible.entrySet()) {
                    if (!other.getKey().equals(outcome)) {
                        only = space.minus(only, other.getValue());
                    }
                }
                sure.put(outcome, only);
            });
            return sure;
        });
    }

    /** Reports the rule at {@code position} as changing nothing, naming what decides its packets without it. */
    private void redundant(String chain, List<Integer> order, int position, Map<String, Integer> decided,
                           Map<String, Integer> rest, List<Finding> found) {
        int rule = order.get(position);
        Cover cover = new Cover();
        boolean sentBack = false;
        for (Map.Entry<String, Integer> e : decided.entrySet()) {
            boolean back = e.getKey().equals(ChainSemantics.RETURN);
            sentBack |= back && !space.bdd().implies(e.getValue(), rest.getOrDefault(ChainSemantics.RETURN, space.no()));
            // Packets sent back get the same from the callers either way: only the chain's own later rules are named.
            cover.after(chain, overlaps(chain).after(position), e.getValue(), !back);
        }
        // Of two rules alike, the later is the dead one; the earlier stays.
        if (cover.rules.stream().anyMatch(unreachable::contains)) {
            return;
        }
        // A built-in chain the file does not declare keeps the kernel's policy, which the file does not know.
        if (cover.policies.stream().anyMatch(c -> !declared.contains(c))) {
            return;
        }
        String what;
        String outcome = decided.keySet().iterator().next();
        if (semantics.calleeOf(rule) != null) {
            what = "the packets " + semantics.calleeOf(rule) + " decides get the same verdict anyway";
        } else if (sentBack) {
            what = "the packets it sends back from " + chain + " get the verdict they get there anyway";
        } else if (outcome.equals(ChainSemantics.RETURN)) {
            what = "the packets it decides go back from " + chain + " anyway";
        } else {
            what = "the packets it decides get " + outcome + " anyway";
        }
        found.add(new Finding(table, rule, Kind.REDUNDANT, "rule changes nothing: without it " + what + ", by "
                + named(cover.names)));
    }

    /** What decides packets on their way on: the rules, chain ends and policies, in the order they meet them. */
    private final class Cover {
        final Set<String> names = new LinkedHashSet<>();
        final Set<Integer> rules = new LinkedHashSet<>();
        final Set<String> policies = new HashSet<>();

        /**
         * The packets go on in {@code chain} through the rules at {@code later} (every later rule
         * that may meet them); with {@code callers}, those it sends back go on in the chains that
         * sent them in.
         */
        void after(String chain, List<Integer> later, int packets, boolean callers) {
            List<Integer> order = semantics.rulesOf(chain);
            int left = packets;
            int back = space.no();
            for (int i = 0; i < later.size() && left != space.no(); i++) {
                int rule = order.get(later.get(i));
                if (!semantics.decides(rule)) {
                    continue;
                }
                int taken = space.and(left, semantics.matchOf(rule));
                if (taken == space.no()) {
                    continue;
                }
                String callee = semantics.calleeOf(rule);
                int returning = callee == null ? space.no()
                        : space.and(taken, semantics.outcomes(callee).getOrDefault(ChainSemantics.RETURN, space.no()));
                int goesOn = space.no();
                if (callee != null && !semantics.isGoto(rule)) {
                    goesOn = returning;
                } else if (callee != null) {
                    back = space.or(back, returning);
                } else if (ChainSemantics.RETURN.equals(semantics.outcomeOf(rule))) {
                    back = space.or(back, taken);
                }
                if (taken != goesOn) {
                    names.add(where(rule));
                    rules.add(rule);
                }
                left = space.or(space.minus(left, taken), goesOn);
            }
            if (left != space.no() && semantics.policyOf(chain) != null) {
                names.add("the policy of " + chain);
                policies.add(chain);
                return;
            }
            if (left != space.no() && !callers) {
                names.add("the end of chain " + chain);
            }
            back = space.or(back, left);
            if (!callers || back == space.no()) {
                return;
            }
            for (Entry entry : entries.getOrDefault(chain, List.of())) {
                int through = space.and(back, entry.packets());
                if (through != space.no()) {
                    after(entry.chain(), entry.isGoto() ? List.of() : overlaps(entry.chain()).after(entry.position()),
                            through, true);
                }
            }
        }
    }

    /** The chains built-in {@code roots} reach, each after every chain that jumps or goes to it. */
    private List<String> callersFirst(Collection<String> roots) {
        List<String> postorder = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String root : roots) {
            visit(root, seen, new HashSet<>(), postorder);
        }
        Collections.reverse(postorder);
        return postorder;
    }

    private void visit(String chain, Set<String> seen, Set<String> onPath, List<String> postorder) {
        if (onPath.contains(chain)) {
            throw new UnsupportedRulesetException("chain " + chain + " jumps back into itself");
        }
        if (!seen.add(chain)) {
            return;
        }
        onPath.add(chain);
        for (int rule : semantics.rulesOf(chain)) {
            String callee = semantics.calleeOf(rule);
            if (callee != null) {
                visit(callee, seen, onPath, postorder);
            }
        }
        onPath.remove(chain);
        postorder.add(chain);
    }

    /**
     * Why no packet reaches the rule: the earlier rules that take its packets, or, when none takes
     * any, the way into the chain. When rules that end the walk match all its packets between them,
     * as few of those as do it are named.
     */
    private String unreachable(String chain, List<Integer> order, int[] arriving, int position) {
        int match = semantics.matchOf(order.get(position));
        int packets = space.and(arriving[0], match);
        List<Integer> taking = new ArrayList<>();
        List<Integer> ending = new ArrayList<>();
        for (int earlier = 0; earlier < position; earlier++) {
            int rule = order.get(earlier);
            int took = space.and(arriving[earlier], space.and(semantics.matchOf(rule), match));
            if (semantics.decides(rule) && took != space.no()) {
                taking.add(rule);
                if (semantics.outcomeOf(rule) != null) {
                    ending.add(rule);
                }
            }
        }
        if (taking.isEmpty()) {
            // What lets no such packet in: the rules that jump or go to the chain, when it is a user chain.
            List<String> jumps = new ArrayList<>();
            for (String caller : semantics.chainNames()) {
                for (int rule : semantics.rulesOf(caller)) {
                    if (chain.equals(semantics.calleeOf(rule))) {
                        jumps.add(where(rule));
                    }
                }
            }
            return "rule never matches: no packet that reaches chain " + chain
                    + (jumps.isEmpty() ? "" : " (from " + named(jumps) + ")") + " matches it";
        }
        List<Integer> named = taking;
        if (ending.size() <= MINIMIZED && covers(packets, ending)) {
            named = new ArrayList<>(ending);
            for (int rule : ending) {
                List<Integer> others = new ArrayList<>(named);
                others.remove(Integer.valueOf(rule));
                if (covers(packets, others)) {
                    named = others;
                }
            }
        }
        return "rule never matches: every packet it matches is taken before it by "
                + named(named.stream().map(this::where).toList());
    }

    /** Whether every one of {@code packets} matches one of the rules. */
    private boolean covers(int packets, List<Integer> rules) {
        return space.bdd().implies(packets, space.union(rules.stream().map(semantics::matchOf).toList()));
    }

    private String where(int rule) {
        String location = locations.of(table, rule);
        return location != null ? location : table.label() + " rule " + (rule + 1);
    }

    private static String named(Collection<String> names) {
        List<String> rules = new ArrayList<>(names);
        if (rules.size() <= NAMED) {
            return String.join(", ", rules);
        }
        return String.join(", ", rules.subList(0, NAMED)) + " and " + (rules.size() - NAMED) + " more";
    }
}
