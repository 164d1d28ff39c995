package io.rampart.api;

/**
 * How a pending confirmation ended.
 *
 * @param outcome {@code confirmed} (the applied rules stay) or {@code rolled-back} (the rules before are back)
 * @param source  what the apply applied
 * @param netns   the namespace, or null for the host's rules
 */
public record ConfirmResult(String outcome, String source, String netns, String family) {
}
