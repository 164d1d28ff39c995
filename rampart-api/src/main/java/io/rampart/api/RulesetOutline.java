package io.rampart.api;

import io.rampart.api.LiveRulesets.LiveChain;
import io.rampart.api.LiveRulesets.LiveRule;
import io.rampart.api.LiveRulesets.LiveTable;
import io.rampart.api.LiveRulesets.Snapshot;
import io.rampart.model.Hook;
import io.rampart.reconcile.OwnChains;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The live ruleset's chains and the jumps between them, without the rules: what a front end needs
 * to draw the ruleset, small even when the ruleset is not. Built-in chains come first, in the order
 * of their hooks, then user chains in natural order ({@code C2} before {@code C10}), then Rampart's
 * own chains, which the totals keep apart from the user's.
 *
 * @param user the user's tables, chains and rules
 * @param own  Rampart's own chains and rules (its bookkeeping and staged rulesets)
 */
public record RulesetOutline(String family, String file, Totals user, Totals own, List<TableOutline> tables) {

    public RulesetOutline {
        tables = List.copyOf(tables);
    }

    public record Totals(int chains, int rules) {
    }

    public record TableOutline(String table, List<ChainOutline> chains) {
        public TableOutline {
            chains = List.copyOf(chains);
        }
    }

    /**
     * One chain.
     *
     * @param own     whether it is Rampart's own chain rather than the user's
     * @param rules   how many rules it has
     * @param packets for a built-in chain, the packets its policy counted; 0 for a user chain
     * @param matched the packets its rules matched, together
     * @param jumps   the chains its rules jump or go to, in the order of their first rule
     */
    public record ChainOutline(String name, String hook, String policy, boolean own, int rules, long packets,
                               long bytes, long matched, List<Jump> jumps) {
        public ChainOutline {
            jumps = List.copyOf(jumps);
        }
    }

    /**
     * The rules of one chain that jump (or go) to one other chain.
     *
     * @param kind  {@code jump} or {@code goto}
     * @param rules how many rules do
     * @param first the number of the first of them
     */
    public record Jump(String target, String kind, int rules, int first) {
    }

    /** Built-in chains by hook, then the user's in natural order, then Rampart's. */
    private static final Comparator<LiveChain> ORDER = Comparator
            .comparingInt((LiveChain c) -> c.hook() == null ? Hook.values().length : Hook.valueOf(c.hook()).ordinal())
            .thenComparing(c -> OwnChains.isOwn(c.name()))
            .thenComparing(LiveChain::name, NaturalOrder.INSTANCE);

    static RulesetOutline of(Snapshot snapshot) {
        int[] userCount = new int[2];
        int[] ownCount = new int[2];
        List<TableOutline> tables = new ArrayList<>();
        for (LiveTable table : snapshot.tables()) {
            List<ChainOutline> chains = new ArrayList<>();
            for (LiveChain chain : table.chains().stream().sorted(ORDER).toList()) {
                boolean own = OwnChains.isOwn(chain.name());
                int[] count = own ? ownCount : userCount;
                count[0]++;
                count[1] += chain.rules().size();
                chains.add(outline(snapshot, table, chain, own));
            }
            tables.add(new TableOutline(table.label(), chains));
        }
        return new RulesetOutline(snapshot.parsed().family().name().toLowerCase(Locale.ROOT),
                snapshot.parsed().file(), new Totals(userCount[0], userCount[1]), new Totals(ownCount[0],
                ownCount[1]), tables);
    }

    private static ChainOutline outline(Snapshot snapshot, LiveTable table, LiveChain chain, boolean own) {
        Map<String, Jump> jumps = new LinkedHashMap<>();
        long matched = 0;
        for (LiveRule rule : chain.rules()) {
            matched += snapshot.packets(rule);
            if (rule.jump() != null) {
                jumps.merge(rule.target() + " " + rule.jump(), new Jump(rule.target(), rule.jump(), 1, rule.number()),
                        (a, b) -> new Jump(a.target(), a.kind(), a.rules() + 1, a.first()));
            }
        }
        long[] counted = snapshot.counters(table, chain);
        return new ChainOutline(chain.name(), chain.hook(), chain.policy(), own, chain.rules().size(), counted[0],
                counted[1], matched, new ArrayList<>(jumps.values()));
    }
}
