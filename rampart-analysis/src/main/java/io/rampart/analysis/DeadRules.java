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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Rules that never matter, over all packets at once: rules no packet reaches and matches (the rules
 * before them take all their packets on every path into their chain, through user chains), and
 * rules whose removal changes no packet's verdict, each table by itself (with every packet entering
 * its chains). A ruleset whose rules change packets (marks, NOTRACK, NAT) is also walked through all
 * its tables in the kernel's order ({@link Pipeline}): a rule that no packet reaching it matches on
 * any path is unreachable, in any table; which rule takes its packets is then not worked out.
 */
public final class DeadRules {

    /** At most this many covering rules are named. */
    private static final int NAMED = 3;

    /** Up to this many rules that take a dead rule's packets are narrowed to those needed. */
    private static final int MINIMIZED = 16;

    public enum Kind { UNREACHABLE, REDUNDANT }

    /** One rule that never matters, by its index in its table, and why in words. */
    public record Finding(Table table, int rule, Kind kind, String message) {
    }

    private final HeaderSpace space;
    private final ChainSemantics semantics;
    private final Table table;
    private final RuleLocations locations;
    private final Set<String> declared = new HashSet<>();

    private DeadRules(HeaderSpace space, ChainSemantics semantics, Table table,
                      RuleLocations locations) {
        this.space = space;
        this.semantics = semantics;
        this.table = table;
        this.locations = locations;
    }

    /** The rules of every table it can judge that never matter, table by table in rule order. */
    public static List<Finding> find(Ruleset ruleset, RuleLocations locations) {
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
                    HeaderSpace.nodesFor(rules.rules().size()));
            try {
                ChainSemantics semantics = new ChainSemantics(space, rules, "", i -> locations.of(rules.table(), i));
                new DeadRules(space, semantics, rules.table(), locations).judge(rules, everyTable, out);
            } catch (UnsupportedRulesetException e) {
                // Targets that change packets, or chains too deep: the walk through every table judges it.
            }
        }
        if (everyTable) {
            acrossTables(ruleset, locations, out);
        }
        return out;
    }

    /** The rules that no packet reaching them matches on any path through every table, unless already found. */
    private static void acrossTables(Ruleset ruleset, RuleLocations locations, List<Finding> out) {
        Set<String> patterns = new TreeSet<>();
        RulesetDiff.interfacePatterns(ruleset, patterns);
        HeaderSpace space = new HeaderSpace(ruleset.family(), new InterfaceDomain(patterns),
                HeaderSpace.nodesFor(ruleset.tables().stream().mapToInt(t -> t.rules().size()).sum()));
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
        Set<Integer> dead = new HashSet<>();
        for (int position = 0; position < order.size(); position++) {
            int rule = order.get(position);
            matched[position] = space.and(arriving[position], semantics.matchOf(rule));
            if (matched[position] == space.no()) {
                dead.add(rule);
                found.add(new Finding(table, rule, Kind.UNREACHABLE, unreachable(chain, order, arriving, position)));
            }
        }
        Map<Integer, Map<String, Integer>> after = null;
        for (int position = 0; position < order.size(); position++) {
            int rule = order.get(position);
            String outcome = semantics.outcomeOf(rule);
            if (outcome == null || dead.contains(rule)) {
                continue;
            }
            if (after == null) {
                after = semantics.outcomesAfter(chain);
            }
            int anyway = after.get(rule).getOrDefault(outcome, space.no());
            if (!space.bdd().implies(matched[position], anyway)) {
                continue;
            }
            List<Integer> deciding = deciding(order.subList(position + 1, order.size()), matched[position]);
            // A built-in chain the file does not declare keeps the kernel's policy, which the file does not know.
            boolean byUnknownPolicy = !declared.contains(chain) && semantics.policyOf(chain) != null
                    && rest(matched[position], deciding) != space.no();
            // Of two rules alike, the later is the dead one; the earlier stays.
            if (deciding.stream().noneMatch(dead::contains) && !byUnknownPolicy) {
                found.add(new Finding(table, rule, Kind.REDUNDANT, redundant(chain, deciding, matched[position],
                        outcome)));
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
            return "rule never matches: no packet that reaches chain " + chain + " matches it";
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

    /** The later rules that take some of {@code packets}, in order, until none are left. */
    private List<Integer> deciding(List<Integer> later, int packets) {
        List<Integer> deciding = new ArrayList<>();
        int left = packets;
        for (int next : later) {
            if (left == space.no()) {
                break;
            }
            if (semantics.decides(next) && space.and(left, semantics.matchOf(next)) != space.no()) {
                deciding.add(next);
                left = space.minus(left, semantics.matchOf(next));
            }
        }
        return deciding;
    }

    /** The packets none of {@code rules} matches: those the chain's end decides. */
    private int rest(int packets, List<Integer> rules) {
        int left = packets;
        for (int rule : rules) {
            left = space.minus(left, semantics.matchOf(rule));
        }
        return left;
    }

    /** Why the rule changes nothing: the later rules (or the policy) that give its packets the same outcome. */
    private String redundant(String chain, List<Integer> deciding, int packets, String outcome) {
        List<String> named = new ArrayList<>(deciding.stream().map(this::where).toList());
        if (rest(packets, deciding) != space.no()) {
            named.add(semantics.policyOf(chain) == null ? "the end of chain " + chain : "the policy of " + chain);
        }
        String verb = outcome.equals(ChainSemantics.RETURN) ? "go back from " + chain : "get " + outcome;
        return "rule changes nothing: without it the packets it decides " + verb + " anyway, by " + named(named);
    }

    private String where(int rule) {
        String location = locations.of(table, rule);
        return location != null ? location : table.label() + " rule " + (rule + 1);
    }

    private static String named(List<String> rules) {
        if (rules.size() <= NAMED) {
            return String.join(", ", rules);
        }
        return String.join(", ", rules.subList(0, NAMED)) + " and " + (rules.size() - NAMED) + " more";
    }
}
