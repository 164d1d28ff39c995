package io.rampart.model.extensions;

import io.rampart.model.Hook;
import io.rampart.model.Option;
import io.rampart.model.Table;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.Canonicalizer;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.value.NumberValue;
import io.rampart.model.value.Value;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The checks canonicalizers share: which options a rule gives, and where in the kernel it sits. */
final class Checks {

    private Checks() {
    }

    static boolean has(List<Option> options, String name) {
        return find(options, name).isPresent();
    }

    static Optional<Option> find(List<Option> options, String name) {
        return options.stream().filter(o -> o.name().equals(name)).findFirst();
    }

    /** The value of option {@code name} as its type reads it (options typed, as target declarations get them); null without it. */
    static <T extends Value> T value(List<Option> options, String name, Class<T> type) {
        return find(options, name).map(o -> type.cast(o.value())).orElse(null);
    }

    /** The number option {@code name} holds, or {@code otherwise} without it. */
    static long number(List<Option> options, String name, long otherwise) {
        NumberValue number = value(options, name, NumberValue.class);
        return number == null ? otherwise : number.value();
    }

    /** The options in the order of {@code saveOrder}: for canonicalizers that read them in the order given. */
    static List<Option> inSaveOrder(List<Option> options, List<String> saveOrder) {
        List<Option> sorted = new ArrayList<>(options);
        sorted.sort(Comparator.comparingInt(o -> saveOrder.indexOf(o.name())));
        return sorted;
    }

    /**
     * Without the option {@code name} when it is a range over every 32-bit value: the saves of
     * frag, rt, ah, esp and ipcomp print a range only when it is narrower, negated or not, so the
     * kernel's rule has none.
     */
    static List<Option> withoutFullRange(List<Option> options, String name) {
        List<Option> out = new ArrayList<>(options);
        out.removeIf(o -> o.name().equals(name) && o.arg().equals("0:" + CNumbers.UINT32_MAX));
        return out;
    }

    /** Refuses an extension given without options; {@code which} says what it needs. */
    static List<Option> notEmpty(List<Option> options, String who, String which) throws InvalidValueException {
        if (options.isEmpty()) {
            throw new InvalidValueException(who + " needs " + which);
        }
        return options;
    }

    /** Refuses two of {@code names} together, as iptables refuses two operations in one target. */
    static void atMostOne(List<Option> options, String who, String... names) throws InvalidValueException {
        String first = null;
        for (Option option : options) {
            if (!List.of(names).contains(option.name())) {
                continue;
            }
            if (first != null) {
                throw new InvalidValueException(who + ": " + OptionSpec.spell(first) + " cannot be combined with "
                        + OptionSpec.spell(option.name()) + "; give one of " + spellAll(names));
            }
            first = option.name();
        }
    }

    /** Refuses an extension without any of {@code names}. */
    static void atLeastOne(List<Option> options, String who, String... names) throws InvalidValueException {
        if (options.stream().noneMatch(o -> List.of(names).contains(o.name()))) {
            throw new InvalidValueException(who + " needs one of " + spellAll(names));
        }
    }

    /** Refuses a rule that does not match exactly one of {@code protocols} with {@code -p} (no {@code !}). */
    static String requireProtocol(ValueContext context, String who, String... protocols)
            throws InvalidValueException {
        Optional<String> protocol = context.exactProtocol();
        if (protocol.isEmpty() || !List.of(protocols).contains(protocol.get())) {
            throw new InvalidValueException(who + " needs -p " + String.join(" or -p ", protocols)
                    + " (without `!') before it");
        }
        return protocol.get();
    }

    /** A canonicalizer that only checks {@link #requireProtocol}: for matches the kernel ties to a protocol. */
    static Canonicalizer needsProtocol(String who, String... protocols) {
        return (options, context) -> {
            requireProtocol(context, who, protocols);
            return options;
        };
    }

    /** Refuses an option in a built-in chain whose hook the kernel does not allow it in. */
    static void requireHook(ValueContext context, String what, Set<Hook> hooks) throws InvalidValueException {
        Optional<Hook> hook = context.hookIfBuiltin();
        if (hook.isPresent() && !hooks.contains(hook.get())) {
            throw new InvalidValueException(what + " is only valid in "
                    + String.join(", ", hooks.stream().sorted().map(Hook::name).toList()) + ", not in "
                    + hook.get().name());
        }
    }

    /** Refuses an option outside the one table the kernel allows it in. */
    static void requireTable(ValueContext context, String what, Table table) throws InvalidValueException {
        if (context.table() != table) {
            throw new InvalidValueException(what + " is only valid in the " + table.label() + " table, not in "
                    + context.table().label());
        }
    }

    private static String spellAll(String... names) {
        return String.join(", ", List.of(names).stream().map(OptionSpec::spell).toList());
    }
}
