package io.rampart.api;

import io.rampart.reconcile.Plan;

/** Whether the kernel holds the ruleset file; {@code plan} is what differs (empty in sync). */
public record StatusResult(boolean inSync, String file, Plan plan) {

    public static StatusResult of(Plan plan) {
        return new StatusResult(plan.isEmpty(), plan.source(), plan);
    }
}
