package io.rampart.analysis;

import io.rampart.model.Policy;
import io.rampart.model.Rule;
import io.rampart.model.Ruleset;
import io.rampart.model.Table;
import io.rampart.model.TableRules;
import io.rampart.trace.CompiledRuleset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Rules that never matter, over all packets at once: rules no packet reaches and matches (the rules
 * before them take all their packets on every path into their chain, through user chains), and
 * rules whose removal changes no packet's verdict. A table with targets that change the packet
 * or its connection (MARK, DNAT, ...) is left out rather than judged wrongly.
 */
public final class DeadRules {

    /** At most this many covering rules are named. */
    private static final int NAMED = 3;

    public enum Kind { UNREACHABLE, REDUNDANT }

    /** One rule that never matters, by its index in its table, and why in words. */
    public record Finding(Table table, int rule, Kind kind, String message) {
    }

    private final HeaderSpace space;
    private final ChainSemantics semantics;
    private final Table table;
    private final CompiledRuleset.RuleLocations locations;
    private final Map<Integer, Integer> arrivals = new HashMap<>();

    private DeadRules(HeaderSpace space, ChainSemantics semantics, Table table,
                      CompiledRuleset.RuleLocations locations) {
        this.space = space;
        this.semantics = semantics;
        this.table = table;
        this.locations = locations;
    }

    /** The rules of every table it can judge that never matter, table by table in rule order. */
    public static List<Finding> find(Ruleset ruleset, CompiledRuleset.RuleLocations locations) {
        List<Finding> out = new ArrayList<>();
        boolean nat = ruleset.table(Table.NAT).map(t -> !t.rules().isEmpty()).orElse(false);
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
                new DeadRules(space, semantics, rules.table(), locations).judge(rules, nat, out);
            } catch (UnsupportedRulesetException e) {
                // Targets that change packets, or chains too deep: nothing this table says is certain.
            }
        }
        return out;
    }

    private void judge(TableRules rules, boolean nat, List<Finding> out) {
        for (String chain : semantics.chainNames()) {
            if (semantics.policyOf(chain) != null) {
                semantics.arrivals(chain, space.entering(chain)).forEach((rule, packets) ->
                        arrivals.merge(rule, packets, space::or));
            }
        }
        List<Finding> found = new ArrayList<>();
        for (String chain : semantics.chainNames()) {
            List<Integer> order = semantics.rulesOf(chain);
            if (order.isEmpty() || !arrivals.containsKey(order.get(0))
                    || nat && order.stream().anyMatch(i -> natStates(rules.rules().get(i)))) {
                continue;
            }
            Map<Integer, Map<String, Integer>> after = null;
            for (int position = 0; position < order.size(); position++) {
                int rule = order.get(position);
                int reaching = arrivals.getOrDefault(rule, space.no());
                int matched = space.and(reaching, semantics.matchOf(rule));
                if (matched == space.no()) {
                    found.add(new Finding(table, rule, Kind.UNREACHABLE, unreachable(chain, order.subList(0, position),
                            rule)));
                    continue;
                }
                String outcome = semantics.outcomeOf(rule);
                if (outcome == null) {
                    continue;
                }
                if (after == null) {
                    after = semantics.outcomesAfter(chain);
                }
                int anyway = after.get(rule).getOrDefault(outcome, space.no());
                if (space.bdd().implies(matched, anyway)) {
                    found.add(new Finding(table, rule, Kind.REDUNDANT, redundant(chain, order.subList(position + 1,
                            order.size()), matched, outcome)));
                }
            }
        }
        found.sort((x, y) -> Integer.compare(x.rule(), y.rule()));
        out.addAll(found);
    }

    /** Why no packet reaches the rule: the earlier rules that take its packets, or the chain's way in. */
    private String unreachable(String chain, List<Integer> before, int rule) {
        int match = semantics.matchOf(rule);
        List<String> covering = new ArrayList<>();
        for (int earlier : before) {
            int arriving = arrivals.getOrDefault(earlier, space.no());
            if (semantics.decides(earlier)
                    && space.and(arriving, space.and(semantics.matchOf(earlier), match)) != space.no()) {
                covering.add(where(earlier));
            }
        }
        if (covering.isEmpty()) {
            return "rule never matches: no packet that reaches chain " + chain + " matches it";
        }
        return "rule never matches: every packet it matches is taken before it by " + named(covering);
    }

    /** Why the rule changes nothing: the later rules (or the policy) that give its packets the same outcome. */
    private String redundant(String chain, List<Integer> later, int matched, String outcome) {
        List<String> deciding = new ArrayList<>();
        int left = matched;
        for (int next : later) {
            if (left == space.no()) {
                break;
            }
            int taken = space.and(left, semantics.matchOf(next));
            if (taken != space.no() && semantics.decides(next)) {
                deciding.add(where(next));
                left = space.minus(left, semantics.matchOf(next));
            }
        }
        Policy policy = semantics.policyOf(chain);
        if (left != space.no()) {
            deciding.add(policy == null ? "the end of chain " + chain : "the policy of " + chain);
        }
        String verb = outcome.equals(ChainSemantics.RETURN) ? "go back from " + chain : "get " + outcome;
        return "rule changes nothing: without it the packets it decides " + verb + " anyway, by " + named(deciding);
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

    /** Whether a rule tests the SNAT or DNAT state, which the encoding knows only without NAT rules. */
    private static boolean natStates(Rule rule) {
        return rule.matches().stream().flatMap(m -> m.options().stream())
                .filter(o -> o.name().equals("ctstate") || o.name().equals("state"))
                .anyMatch(o -> o.arg().contains("SNAT") || o.arg().contains("DNAT"));
    }
}
