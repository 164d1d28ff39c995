package io.rampart.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;

/**
 * A fleet-wide dry run, stored at {@code plan/request}: every agent whose labels the selector
 * matches plans {@code revision} against its own kernel with its own values until {@code deadline},
 * and writes what it found to {@code hosts/<name>/plan}.
 *
 * @param select labels a host must have, each with its value; empty for every host
 * @param deadline when the requester stops waiting, ISO-8601; agents that see it later do not answer
 */
public record PlanRequest(String id, String revision, Map<String, String> select, String deadline) {

    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public PlanRequest {
        select = Map.copyOf(select);
    }

    /** Whether a host with {@code labels} is asked. */
    public boolean selects(Map<String, String> labels) {
        return select.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    boolean expired(Instant now) {
        return now.isAfter(Instant.parse(deadline));
    }

    String toJson() {
        return StoredJson.write(JSON, this, "a plan request");
    }

    /** The request stored as {@code json}, or null when it is not one. */
    static PlanRequest fromJson(String json) {
        try {
            PlanRequest request = JSON.readValue(json, PlanRequest.class);
            Instant.parse(request.deadline());
            return request.id() == null || request.revision() == null ? null : request;
        } catch (JsonProcessingException | RuntimeException e) {
            return null;
        }
    }
}
