package io.rampart.api;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.model.extension.HostNames;
import io.rampart.trace.Trace;
import io.rampart.trace.TraceJson;

/**
 * A packet's path; its JSON is the shape {@code trace --json} has always printed, nulls included,
 * the packet's protocol by the name {@code names} give it.
 */
public record TraceResult(Trace trace, boolean explain, HostNames names) {

    private static final ObjectMapper TREES = new ObjectMapper();

    /** A tree rather than a map, so that writers which leave out nulls keep a policy step's {@code "rule": null}. */
    @JsonValue
    public JsonNode json() {
        return TREES.valueToTree(TraceJson.treeOf(trace, explain, names));
    }
}
