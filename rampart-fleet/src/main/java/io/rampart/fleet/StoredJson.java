package io.rampart.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The JSON text of a value the fleet stores: values it builds itself, so writing one cannot fail. */
final class StoredJson {

    private StoredJson() {
    }

    /** {@code value} as {@code json} writes it; {@code what} names it should it ever not be JSON. */
    static String write(ObjectMapper json, Object value, String what) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(what + " is always JSON", e);
        }
    }
}
