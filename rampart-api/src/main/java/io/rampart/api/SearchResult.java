package io.rampart.api;

import java.util.List;

/**
 * What a search of the live ruleset found: chains by name, then rules, at most a limit of them.
 *
 * @param as    what the query was read as: {@code text} (a chain name or part of a rule), {@code address},
 *              {@code port} or {@code source} ({@code file:line})
 * @param total how many hits there are, of which {@code hits} holds the first
 */
public record SearchResult(String query, String as, int total, List<Hit> hits) {

    public SearchResult {
        hits = List.copyOf(hits);
    }

    /**
     * A chain (rule null) or one rule of it.
     *
     * @param rule   the rule's number in its chain, or null when the chain itself was found
     * @param text   the rule's canonical text; null for a chain
     * @param source {@code file:line} where the rule was written, or null
     */
    public record Hit(String table, String chain, Integer rule, String text, String source) {
    }
}
