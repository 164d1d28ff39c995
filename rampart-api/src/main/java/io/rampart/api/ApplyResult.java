package io.rampart.api;

import io.rampart.api.PendingConfirmation.State;
import io.rampart.api.PendingConfirmation.Target;
import io.rampart.reconcile.Plan;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * What an apply did.
 *
 * @param changed   whether iptables-restore ran
 * @param backend   the iptables backend, {@code nf_tables} or {@code legacy}
 * @param processes how many processes the apply started
 * @param kernelNotes what iptables-restore said while succeeding
 * @param confirmation while an apply with {@code --confirm} awaits confirmation: when it rolls back and how
 *                     to confirm or roll back now; null otherwise
 */
public record ApplyResult(boolean changed, Plan plan, String backend, int processes, long milliseconds,
                          String kernelNotes, Confirmation confirmation) {

    /** What {@code applied} did, in {@code processes} processes. */
    public static ApplyResult of(Reconciliation.Applied applied, int processes, Confirmation confirmation) {
        return new ApplyResult(applied.applied().written(), applied.applied().plan(), applied.backend(), processes,
                applied.applied().took().toMillis(), applied.applied().notes(), confirmation);
    }

    /**
     * The pending confirmation of an apply, the time in ISO 8601, UTC, and how to end it in the
     * words of the front end that applied: commands on the command line, requests over HTTP.
     */
    public record Confirmation(String rollsBackAt, String confirm, String rollback) {

        /** The commands that end {@code armed}, for {@code target}'s rules. */
        public static Confirmation commands(State armed, Target target) {
            return new Confirmation(rollsBackAt(armed), "rampart confirm" + target.flags(),
                    "rampart rollback" + target.flags());
        }

        /** The requests that end {@code armed}, for its family's rules. */
        public static Confirmation requests(State armed, Target target) {
            String query = "?family=" + target.family().name().toLowerCase(Locale.ROOT);
            return new Confirmation(rollsBackAt(armed), "POST /api/confirm" + query, "POST /api/rollback" + query);
        }

        private static String rollsBackAt(State armed) {
            return armed.deadline().truncatedTo(ChronoUnit.SECONDS).toString();
        }
    }
}
