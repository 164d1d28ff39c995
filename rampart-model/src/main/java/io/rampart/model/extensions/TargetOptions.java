package io.rampart.model.extensions;

import io.rampart.model.Option;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.ValueContext;
import java.util.List;
import java.util.Optional;

/** Checks and value helpers the mangle, conntrack and nat targets share. */
final class TargetOptions {

    private TargetOptions() {
    }

    static Optional<Option> find(List<Option> options, String name) {
        return options.stream().filter(o -> o.name().equals(name)).findFirst();
    }

    /** Refuses two of {@code names} together, as iptables refuses two operations in one target. */
    static void atMostOne(List<Option> options, String target, String... names) throws InvalidValueException {
        String first = null;
        for (Option option : options) {
            if (!List.of(names).contains(option.name())) {
                continue;
            }
            if (first != null) {
                throw new InvalidValueException(target + ": " + OptionSpec.spell(first) + " cannot be combined with "
                        + OptionSpec.spell(option.name()) + "; give one of " + spellAll(names));
            }
            first = option.name();
        }
    }

    /** Refuses a target without any of {@code names}. */
    static void atLeastOne(List<Option> options, String target, String... names) throws InvalidValueException {
        if (options.stream().noneMatch(o -> List.of(names).contains(o.name()))) {
            throw new InvalidValueException(target + " needs one of " + spellAll(names));
        }
    }

    /** Refuses a target whose rule does not match exactly one of {@code protocols} with {@code -p}. */
    static void needsProtocol(ValueContext context, String target, String... protocols)
            throws InvalidValueException {
        String protocol = context.exactProtocol().orElse(null);
        if (protocol == null || !List.of(protocols).contains(protocol)) {
            throw new InvalidValueException(target + " needs -p " + String.join(" or -p ", protocols)
                    + " (without `!') before it");
        }
    }

    private static String spellAll(String... names) {
        return String.join(", ", List.of(names).stream().map(OptionSpec::spell).toList());
    }

    /** A 32-bit value and mask, as the mark targets keep them. */
    record ValueMask(long value, long mask) {
        static final long ALL = 0xffffffffL;

        /** Reads a canonical {@code 0xV} or {@code 0xV/0xM}; a missing mask is all ones. */
        static ValueMask parse(String canonical) {
            int slash = canonical.indexOf('/');
            if (slash < 0) {
                return new ValueMask(hex(canonical), ALL);
            }
            return new ValueMask(hex(canonical.substring(0, slash)), hex(canonical.substring(slash + 1)));
        }

        static long hex(String canonical) {
            return Long.parseLong(canonical.substring(2), 16);
        }

        String format() {
            return "0x" + Long.toHexString(value) + "/0x" + Long.toHexString(mask);
        }
    }
}
