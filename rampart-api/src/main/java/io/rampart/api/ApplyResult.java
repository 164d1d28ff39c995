package io.rampart.api;

import io.rampart.reconcile.Plan;
import io.rampart.reconcile.Reconciler;

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

    /** What {@code applied} did, on {@code backend}, in {@code processes} processes. */
    public static ApplyResult of(Reconciler.Applied applied, String backend, int processes, Confirmation confirmation) {
        return new ApplyResult(applied.written(), applied.plan(), backend, processes, applied.took().toMillis(),
                applied.notes(), confirmation);
    }

    /** The pending confirmation of an apply; the time in ISO 8601, UTC. */
    public record Confirmation(String rollsBackAt, String confirm, String rollback) {
    }
}
