package io.rampart.model;

import java.util.Objects;
import java.util.Optional;

/**
 * A chain declaration: a built-in chain with its policy, or a user chain (no policy). A built-in
 * chain without a policy is one whose policy the ruleset leaves alone.
 *
 * @param sharing whether the ruleset owns the whole chain or one block of it (built-in chains only)
 */
public record Chain(String name, Policy policy, Sharing sharing) {

    /** The kernel's limit on chain names (XT_EXTENSION_MAXNAMELEN - 1, less the NUL). */
    public static final int MAX_NAME_LENGTH = 28;

    /**
     * How much of a chain a ruleset owns. A shared built-in chain keeps the rules other tools put
     * in it; the ruleset's rules stay together as one block at its head or its tail.
     */
    public enum Sharing { WHOLE, HEAD, TAIL }

    public Chain {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sharing, "sharing");
    }

    public Chain(String name, Policy policy) {
        this(name, policy, Sharing.WHOLE);
    }

    public static Chain user(String name) {
        return new Chain(name, null);
    }

    public Optional<Policy> policyIfBuiltin() {
        return Optional.ofNullable(policy);
    }

    public Chain shared(Sharing how) {
        return new Chain(name, policy, how);
    }
}
