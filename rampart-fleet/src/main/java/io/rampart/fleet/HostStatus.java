package io.rampart.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Locale;

/**
 * What a host last reported, stored at {@code hosts/<name>/status}.
 *
 * @param revision the revision the kernel holds; null before the first apply
 * @param assigned the revision the host was told to run; null before any assignment
 * @param error    the last error, as {@code check} prints it; null when none
 * @param time     when the host reported this, ISO-8601
 */
public record HostStatus(String host, String revision, String assigned, State state, String error, String time) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A host's state; {@code offline} is no report but the absence of its lease. */
    public enum State {
        CONVERGED, APPLYING, FAILED, DRIFTED, OFFLINE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static HostStatus now(String host, String revision, String assigned, State state, String error) {
        return new HostStatus(host, revision, assigned, state, error, Instant.now().toString());
    }

    public String toJson() {
        return StoredJson.write(JSON, this, "a status");
    }

    /** The status stored at {@code key}, or a failed one saying why it could not be read. */
    public static HostStatus fromJson(String host, String key, String json) {
        try {
            return JSON.readValue(json, HostStatus.class);
        } catch (JsonProcessingException e) {
            return new HostStatus(host, null, null, State.FAILED, key + ": not a status: " + e.getOriginalMessage(),
                    null);
        }
    }
}
