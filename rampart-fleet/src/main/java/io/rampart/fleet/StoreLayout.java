package io.rampart.fleet;

import io.rampart.model.Failure;

/**
 * Where the fleet keeps what in etcd, all under one prefix (default {@code /rampart/}); DEVELOPERS.md
 * describes each key and its value.
 */
public record StoreLayout(String prefix) {

    public static final String DEFAULT_PREFIX = "/rampart/";

    /**
     * Etcd's default limit on one request (--max-request-bytes); a value must leave room for the
     * key and the request's framing.
     */
    public static final int MAX_VALUE_BYTES = 1536 * 1024 - 4 * 1024;

    public StoreLayout {
        if (!prefix.startsWith("/") || !prefix.endsWith("/")) {
            throw new Failure(Failure.Category.USAGE, "--prefix: `" + prefix + "' must start and end with /");
        }
    }

    public static StoreLayout standard() {
        return new StoreLayout(DEFAULT_PREFIX);
    }

    /** The published revisions, by id. */
    public String revisions() {
        return prefix + "revisions/";
    }

    public String revision(String id) {
        return revisions() + id;
    }

    /** Everything a host registers and reports. */
    public String hosts() {
        return prefix + "hosts/";
    }

    /** A host's registration (labels), held by its lease. */
    public String registration(String host) {
        return hosts() + host + "/registration";
    }

    /** A host's last status report. */
    public String status(String host) {
        return hosts() + host + "/status";
    }

    /** A host's own variables for the ruleset language, one key per variable. */
    public String vars(String host) {
        return hosts() + host + "/vars/";
    }

    /** Which revision each host should run. */
    public String assignments() {
        return prefix + "assign/";
    }

    public String assignment(String host) {
        return assignments() + host;
    }

    /** The current rollout's state. */
    public String rollout() {
        return prefix + "rollout/state";
    }

    /** The lock one rollout controller holds while it acts. */
    public String rolloutLock() {
        return prefix + "rollout/lock";
    }
}
