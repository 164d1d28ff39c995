package io.rampart.system.agent;

import io.rampart.reconcile.Plan;
import java.time.Instant;
import java.util.Locale;

/**
 * Something the agent did or saw, for its log.
 *
 * @param plan    for {@code APPLIED} and {@code REPAIRED}: what was changed (empty when nothing was)
 * @param message for {@code STARTED}: how the kernel is watched; for errors: what went wrong
 */
public record AgentEvent(Kind kind, Instant time, Plan plan, String message) {

    /** The kinds of event, in the order an agent's life usually sees them. */
    public enum Kind {
        STARTED, APPLIED, REPAIRED, FILE_ERROR, KERNEL_REFUSED, STOPPED;

        /** The name in logs and JSON: {@code file-error}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}
