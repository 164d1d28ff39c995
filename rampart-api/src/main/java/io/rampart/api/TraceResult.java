package io.rampart.api;

import com.fasterxml.jackson.annotation.JsonValue;
import io.rampart.trace.Trace;
import io.rampart.trace.TraceJson;
import java.util.Map;

/** A packet's path; its JSON is the shape {@code trace --json} has always printed. */
public record TraceResult(Trace trace, boolean explain) {

    @JsonValue
    public Map<String, Object> json() {
        return TraceJson.treeOf(trace, explain);
    }
}
