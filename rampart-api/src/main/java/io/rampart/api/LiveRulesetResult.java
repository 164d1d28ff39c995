package io.rampart.api;

import java.util.List;

/**
 * The kernel's ruleset of one family, parsed and in canonical text, with packet and byte counters.
 *
 * @param file the ruleset file the server was started with, where rules' {@code source}s point; or null
 */
public record LiveRulesetResult(String family, String file, List<TableView> tables) {

    public LiveRulesetResult {
        tables = List.copyOf(tables);
    }

    public record TableView(String table, List<ChainView> chains) {
        public TableView {
            chains = List.copyOf(chains);
        }
    }

    /**
     * One chain; built-in ones have a policy and the counters of packets that reached it.
     *
     * @param hook the hook a built-in chain is attached to, or null for a user chain
     */
    public record ChainView(String name, String hook, String policy, long packets, long bytes, List<RuleView> rules) {
        public ChainView {
            rules = List.copyOf(rules);
        }
    }

    /**
     * One rule.
     *
     * @param number its position in the chain, from 1
     * @param target the target's name, or null for a rule that only counts
     * @param jump   {@code jump} or {@code goto} when the target is a user chain, else null
     * @param source {@code file:line} where the rule was written (through includes), or null when the file
     *               does not have it
     */
    public record RuleView(int number, String text, String target, String jump, long packets, long bytes,
                           String source) {
    }
}
