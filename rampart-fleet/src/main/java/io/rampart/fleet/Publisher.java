package io.rampart.fleet;

import io.rampart.model.Failure;
import java.nio.charset.StandardCharsets;

/** Stores revisions: once each, refused when etcd could not take them in one request. */
public final class Publisher {

    private final EtcdStore store;

    public Publisher(EtcdStore store) {
        this.store = store;
    }

    /** What publishing did: the id, and whether the revision was new. */
    public record Published(String revision, boolean stored) {
    }

    /**
     * Stores {@code revision} unless a revision with its id is stored already (the same content:
     * nothing new is written, and the first publisher's who, when and why stay).
     */
    public Published publish(Revision revision) {
        String key = store.layout().revision(revision.id());
        String value = revision.toJson();
        int size = key.getBytes(StandardCharsets.UTF_8).length + value.getBytes(StandardCharsets.UTF_8).length;
        if (size > StoreLayout.MAX_VALUE_BYTES) {
            throw new Failure(Failure.Category.INPUT, revision.bundle().main() + ": the ruleset with its "
                    + revision.bundle().files().size() + " file(s) takes " + size + " bytes stored, more than etcd"
                    + " takes in one request (" + StoreLayout.MAX_VALUE_BYTES + " bytes within its default 1.5 MiB"
                    + " --max-request-bytes); nothing was stored");
        }
        return new Published(revision.id(), store.putIfAbsent(key, value));
    }
}
