package io.rampart.api;

/**
 * A ruleset's text, for check, plan and apply: what the command line reads from FILE.
 *
 * @param family  {@code ipv4} or {@code ipv6}; null for the server's family
 * @param confirm for apply: roll back unless confirmed within this time ({@code 60s}, {@code 2m} or plain
 *                seconds), as {@code apply --confirm} does; null to keep the rules at once
 */
public record RulesetRequest(String text, String family, String confirm) {

    public RulesetRequest(String text, String family) {
        this(text, family, null);
    }
}
