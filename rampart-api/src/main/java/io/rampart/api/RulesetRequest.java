package io.rampart.api;

/**
 * A ruleset's text, for check, plan and apply: what the command line reads from FILE.
 *
 * @param family {@code ipv4} or {@code ipv6}; null for the server's family
 */
public record RulesetRequest(String text, String family) {
}
