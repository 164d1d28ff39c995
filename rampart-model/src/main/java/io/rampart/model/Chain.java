package io.rampart.model;

import java.util.Objects;
import java.util.Optional;

/** A chain declaration: a built-in chain with its policy, or a user chain (no policy). */
public record Chain(String name, Policy policy) {

    /** The kernel's limit on chain names (XT_EXTENSION_MAXNAMELEN - 1, less the NUL). */
    public static final int MAX_NAME_LENGTH = 28;

    public Chain {
        Objects.requireNonNull(name, "name");
    }

    public static Chain user(String name) {
        return new Chain(name, null);
    }

    public Optional<Policy> policyIfBuiltin() {
        return Optional.ofNullable(policy);
    }
}
