package io.rampart.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a rule sends a packet that matched: a target extension ({@code -j LOG ...}), a verdict
 * ({@code -j ACCEPT}) or a user chain ({@code -j NAME}, {@code -g NAME}).
 */
public record Target(String name, Kind kind, List<Option> options) {

    /** How the target is reached: {@code -j} or {@code -g}. Only user chains can be gone to. */
    public enum Kind { JUMP, GOTO }

    public Target {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        options = List.copyOf(options);
    }

    // Written out, as Rule's are.
    @Override
    public boolean equals(Object other) {
        return other instanceof Target target && kind == target.kind && name.equals(target.name)
                && options.equals(target.options);
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + kind.hashCode()) * 31 + options.hashCode();
    }

    public static Target jump(String name) {
        return new Target(name, Kind.JUMP, List.of());
    }

    public Optional<Option> option(String name) {
        return options.stream().filter(o -> o.name().equals(name)).findFirst();
    }
}
