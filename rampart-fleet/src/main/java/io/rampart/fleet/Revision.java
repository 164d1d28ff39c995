package io.rampart.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.model.Failure;
import java.time.Instant;

/**
 * A published revision as stored at {@code revisions/<id>}: the bundle and who published it, when
 * and why. Only the bundle decides the id.
 *
 * @param message what the publisher said about it; empty when nothing
 */
public record Revision(String id, Bundle bundle, String publishedBy, Instant publishedAt, String message) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The stored form of a revision. */
    private record Stored(String id, String main, java.util.SortedMap<String, String> files, String publishedBy,
                          String publishedAt, String message) {
    }

    public static Revision of(Bundle bundle, String publishedBy, Instant publishedAt, String message) {
        return new Revision(bundle.id(), bundle, publishedBy, publishedAt, message == null ? "" : message);
    }

    public String toJson() {
        return StoredJson.write(JSON, new Stored(id, bundle.main(), bundle.files(), publishedBy,
                publishedAt.toString(), message), "a revision");
    }

    /** The revision stored at {@code key}; a value that is not one (or whose id lies) is an error naming the key. */
    public static Revision fromJson(String key, String json) {
        Stored stored;
        Instant publishedAt;
        Bundle bundle;
        try {
            stored = JSON.readValue(json, Stored.class);
            publishedAt = Instant.parse(stored.publishedAt());
            bundle = new Bundle(stored.main(), stored.files());
        } catch (JsonProcessingException | RuntimeException e) {
            throw new Failure(Failure.Category.SYSTEM, key + ": is not a stored revision: " + e.getMessage());
        }
        if (!bundle.id().equals(stored.id())) {
            throw new Failure(Failure.Category.SYSTEM, key + ": holds a bundle whose content does not match its id "
                    + stored.id());
        }
        return new Revision(stored.id(), bundle, stored.publishedBy(), publishedAt, stored.message());
    }
}
