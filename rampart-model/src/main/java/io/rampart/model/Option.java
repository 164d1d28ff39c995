package io.rampart.model;

import java.util.List;
import java.util.Objects;

/**
 * One option of a match or target as the kernel keeps it: its canonical long name (without
 * dashes), whether it is negated, and its arguments in canonical spelling (unquoted).
 */
public record Option(String name, boolean negated, List<String> args) {

    public Option {
        Objects.requireNonNull(name, "name");
        args = List.copyOf(args);
    }

    public static Option of(String name, String... args) {
        return new Option(name, false, List.of(args));
    }

    public static Option negated(String name, boolean negated, String... args) {
        return new Option(name, negated, List.of(args));
    }

    /** The single argument of a one-argument option. */
    public String arg() {
        if (args.size() != 1) {
            throw new IllegalStateException("--" + name + " has " + args.size() + " arguments");
        }
        return args.get(0);
    }
}
