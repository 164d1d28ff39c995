package io.rampart.model;

import io.rampart.model.value.Text;
import io.rampart.model.value.Value;
import java.util.List;
import java.util.Objects;

/**
 * One option of a match or target as the kernel keeps it: its canonical long name (without
 * dashes), whether it is negated, and its arguments in canonical spelling (unquoted). The parser
 * gives each argument as a typed {@link Value} ({@link #values()}); options compare by name,
 * negation and canonical text, which is the same as comparing the values.
 */
public record Option(String name, boolean negated, List<String> args) {

    public Option {
        Objects.requireNonNull(name, "name");
        args = args instanceof Arguments typed ? typed : List.copyOf(args);
    }

    // Written out, as Rule's are.
    @Override
    public boolean equals(Object other) {
        return other instanceof Option option && negated == option.negated && name.equals(option.name)
                && args.equals(option.args);
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + Boolean.hashCode(negated)) * 31 + args.hashCode();
    }

    public static Option of(String name, String... args) {
        return new Option(name, false, List.of(args));
    }

    public static Option negated(String name, boolean negated, String... args) {
        return new Option(name, negated, List.of(args));
    }

    /** An option whose arguments are these values. */
    public static Option typed(String name, boolean negated, List<? extends Value> values) {
        return new Option(name, negated, Arguments.of(values));
    }

    /** Whether the arguments are typed values rather than only their text. */
    public boolean typed() {
        return args instanceof Arguments;
    }

    /** The arguments as values: {@link Text} for an option built from text alone. */
    public List<Value> values() {
        if (args instanceof Arguments typed) {
            return typed.values();
        }
        return args.stream().<Value>map(Text::new).toList();
    }

    /** The single argument of a one-argument option, as a value. */
    public Value value() {
        arg();
        return values().get(0);
    }

    /** The single argument of a one-argument option. */
    public String arg() {
        if (args.size() != 1) {
            throw new IllegalStateException("--" + name + " has " + args.size() + " arguments");
        }
        return args.get(0);
    }
}
