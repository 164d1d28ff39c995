package io.rampart.model.extension;

import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One option of an extension: its canonical long name (without dashes), the other names iptables
 * accepts for it, its argument types (none for a flag), whether {@code !} may precede it, whether
 * it is required, whether it may be repeated, a help text, and the packet field it tests (null when
 * the tracer does not model it; see {@link MatchSemantics.Tests}).
 */
public record OptionSpec(String name, List<String> aliases, List<ValueType> args, boolean negatable,
                         boolean mandatory, boolean repeats, String help, Constraint constraint) {

    public OptionSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(help, "help");
        aliases = List.copyOf(aliases);
        args = List.copyOf(args);
    }

    /** An option with the given arguments; not invertible, not required, no aliases. */
    public static OptionSpec of(String name, String help, ValueType... args) {
        return new OptionSpec(name, List.of(), List.of(args), false, false, false, help, null);
    }

    /** An option without arguments. */
    public static OptionSpec flag(String name, String help) {
        return of(name, help);
    }

    /** Allows {@code !} before the option. */
    public OptionSpec invertible() {
        return new OptionSpec(name, aliases, args, true, mandatory, repeats, help, constraint);
    }

    /** Makes the extension refuse to load without this option. */
    public OptionSpec required() {
        return new OptionSpec(name, aliases, args, negatable, true, repeats, help, constraint);
    }

    /** Lets the option appear more than once in one match (its canonicalizer checks the repeats). */
    public OptionSpec repeatable() {
        return new OptionSpec(name, aliases, args, negatable, mandatory, true, help, constraint);
    }

    /** Adds other names; a one-letter name is a short option ({@code -s}), others are long ones. */
    public OptionSpec alias(String... more) {
        return new OptionSpec(name, Stream.concat(aliases.stream(), Stream.of(more)).toList(), args,
                negatable, mandatory, repeats, help, constraint);
    }

    /** Declares the packet field the option tests with its value's own test. */
    public OptionSpec tests(PacketField field) {
        return tests(field, Constraint.Comparison.IS);
    }

    /** Declares the packet field the option tests and how it compares with the value. */
    public OptionSpec tests(PacketField field, Constraint.Comparison comparison) {
        return new OptionSpec(name, aliases, args, negatable, mandatory, repeats, help,
                new Constraint(field, comparison));
    }

    public boolean isFlag() {
        return args.isEmpty();
    }

    /**
     * Whether {@code word} names this option: a long word ({@code --word}) one of its long names,
     * exactly or (with {@code prefixes}) as the abbreviation getopt_long allows; a short word one of
     * its letters. Allocation-free: it runs for every option word of every rule.
     */
    public boolean answersTo(String word, boolean prefixes, boolean longWord) {
        if (matches(name, word, prefixes, longWord)) {
            return true;
        }
        for (String alias : aliases) {
            if (matches(alias, word, prefixes, longWord)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String candidate, String word, boolean prefixes, boolean longWord) {
        if ((candidate.length() > 1) != longWord) {
            return false;
        }
        return candidate.equals(word) || (prefixes && candidate.startsWith(word));
    }

    /** Every name this option answers to, canonical first. */
    public List<String> names() {
        return Stream.concat(Stream.of(name), aliases.stream()).toList();
    }

    /** The argument types as help shows them, e.g. {@code port[:port]}. */
    public String syntax() {
        return String.join(" ", args.stream().map(ValueType::syntax).toList());
    }

    /** How the option is written on a command line: {@code -s} for one letter, else {@code --name}. */
    public static String spell(String optionName) {
        return (optionName.length() == 1 ? "-" : "--") + optionName;
    }
}
