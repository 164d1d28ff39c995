package io.rampart.api;

import io.rampart.reconcile.Plan;

/**
 * What an apply did.
 *
 * @param changed   whether iptables-restore ran
 * @param backend   the iptables backend, {@code nf_tables} or {@code legacy}
 * @param processes how many processes the apply started
 * @param kernelNotes what iptables-restore said while succeeding
 */
public record ApplyResult(boolean changed, Plan plan, String backend, int processes, long milliseconds,
                          String kernelNotes) {
}
