package io.rampart.api;

import io.rampart.model.Rule;
import java.util.List;

/**
 * Rules to put in canonical form: as text ({@code -A CHAIN ...} lines, what {@code canon} reads),
 * or as the rule model that {@code canon --json} prints, for programs that build rules as data.
 *
 * @param table  the table the rules belong to; null for filter
 * @param family {@code ipv4} or {@code ipv6}; null for the server's family
 */
public record CanonRequest(String text, List<Rule> rules, String table, String family) {
}
