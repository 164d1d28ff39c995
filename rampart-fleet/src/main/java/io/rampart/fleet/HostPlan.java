package io.rampart.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.rampart.reconcile.Plan;

/**
 * One host's answer to a {@link PlanRequest}, stored at {@code hosts/<name>/plan}: what applying the
 * revision would change in its kernel, or why the revision fails with its values.
 *
 * @param request the id of the request answered
 * @param plan    the changes; null when {@code error} says why there are none
 * @param error   the errors as {@code check} prints them; null when the revision reads clean
 */
public record HostPlan(String request, String host, String revision, Plan plan, String error) {

    String toJson() {
        return StoredJson.write(PlanRequest.JSON, this, "a host's plan");
    }

    /** The answer stored as {@code json}, or null when it is not one. */
    static HostPlan fromJson(String json) {
        try {
            return PlanRequest.JSON.readValue(json, HostPlan.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
