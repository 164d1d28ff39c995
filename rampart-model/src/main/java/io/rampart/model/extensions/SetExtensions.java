package io.rampart.model.extensions;

import io.rampart.model.Hook;
import io.rampart.model.Option;
import io.rampart.model.Table;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.MatchSemantics;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.TargetSemantics;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import java.util.ArrayList;
import java.util.List;

/**
 * The ipset match and target. Whether a set exists and fits the family is the kernel's state, not
 * the rule's: it is not checked here.
 */
final class SetExtensions {

    /** IPSET_MAXNAMELEN less the terminating NUL. */
    private static final int MAX_SET_NAME = 31;
    /** IPSET_DIM_MAX. */
    private static final int MAX_DIMENSIONS = 6;

    private SetExtensions() {
    }

    static final ValueType SET_NAME = Values.of("set-name", "name", (raw, ctx) -> {
        if (raw.isEmpty() || raw.length() > MAX_SET_NAME) {
            throw new InvalidValueException("a set name has 1 to " + MAX_SET_NAME + " characters, `" + raw
                    + "' has " + raw.length());
        }
        return raw;
    });

    static final ValueType DIRECTIONS = Values.of("directions", "src|dst[,src|dst...] (at most 6)", (raw, ctx) -> {
        String[] parts = raw.split(",", -1);
        if (parts.length > MAX_DIMENSIONS) {
            throw new InvalidValueException("at most " + MAX_DIMENSIONS + " src/dst flags, `" + raw + "' has "
                    + parts.length);
        }
        for (String part : parts) {
            if (!part.equals("src") && !part.equals("dst")) {
                throw new InvalidValueException("`" + part + "' is neither src nor dst (lower case)");
            }
        }
        return raw;
    });

    private static final ValueType COUNTER = Values.decimal(0, -1L);

    static List<ExtensionSpec> specs() {
        return List.of(match(), target());
    }

    private static ExtensionSpec match() {
        return ExtensionSpec.match("set", "source/destination fields found in an ipset",
                        OptionSpec.of("match-set", "set name and which packet fields to look up in it",
                                SET_NAME, DIRECTIONS).alias("set").invertible().required(),
                        OptionSpec.flag("return-nomatch", "a hit on a nomatch element counts as a match"),
                        OptionSpec.flag("update-counters", "update the element's counters (the default;"
                                + " `! --update-counters' leaves them)").invertible(),
                        OptionSpec.flag("update-subcounters", "update counters of member sets (the default;"
                                + " `! --update-subcounters' leaves them)").invertible(),
                        OptionSpec.of("packets-eq", "element's packet counter equals", COUNTER).invertible(),
                        OptionSpec.of("packets-lt", "element's packet counter is below", COUNTER),
                        OptionSpec.of("packets-gt", "element's packet counter is above", COUNTER),
                        OptionSpec.of("bytes-eq", "element's byte counter equals", COUNTER).invertible(),
                        OptionSpec.of("bytes-lt", "element's byte counter is below", COUNTER),
                        OptionSpec.of("bytes-gt", "element's byte counter is above", COUNTER))
                .canonicalizedBy(SetExtensions::matchCanonical)
                .means(MatchSemantics.opaque("ipset contents are kernel state the tracer does not read"));
    }

    private static List<Option> matchCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        List<Option> out = new ArrayList<>();
        String packets = null;
        String bytes = null;
        for (Option option : options) {
            String name = option.name();
            if (name.startsWith("update-") && !option.negated()) {
                continue;
            }
            if (name.startsWith("packets-") || name.startsWith("bytes-")) {
                String earlier = name.startsWith("packets-") ? packets : bytes;
                if (earlier != null) {
                    throw new InvalidValueException("only one of --" + earlier + " and --" + name + " is allowed");
                }
                if (name.startsWith("packets-")) {
                    packets = name;
                } else {
                    bytes = name;
                }
            }
            out.add(option);
        }
        return out;
    }

    private static ExtensionSpec target() {
        return ExtensionSpec.target("SET", "add the packet's fields to, or delete them from, an ipset",
                        OptionSpec.of("add-set", "set to add the entry to, and the fields that make it",
                                SET_NAME, DIRECTIONS),
                        OptionSpec.flag("exist", "with --add-set: refresh the timeout of an existing entry"),
                        OptionSpec.of("timeout", "with --add-set: timeout of the entry in seconds",
                                Values.decimal(0, 4294967294L)),
                        OptionSpec.of("del-set", "set to delete the entry from, and the fields that make it",
                                SET_NAME, DIRECTIONS),
                        OptionSpec.of("map-set", "set whose matching entry's extensions are applied to the packet"
                                        + " (mangle table only)",
                                SET_NAME, DIRECTIONS),
                        OptionSpec.flag("map-mark", "with --map-set: apply the entry's skbmark"),
                        OptionSpec.flag("map-prio", "with --map-set: apply the entry's skbprio (FORWARD, OUTPUT,"
                                + " POSTROUTING)"),
                        OptionSpec.flag("map-queue", "with --map-set: apply the entry's skbqueue (FORWARD, OUTPUT,"
                                + " POSTROUTING)"))
                .does(options -> Checks.has(options, "map-mark")
                        ? new TargetSemantics.NotModelled("--map-mark sets the packet mark an ipset entry holds, which"
                                + " the tracer does not read")
                        : new TargetSemantics.Continues("the contents of ipsets"))
                .canonicalizedBy(SetExtensions::targetCanonical);
    }

    private static List<Option> targetCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        List<String> names = options.stream().map(Option::name).toList();
        if (!names.contains("add-set") && !names.contains("del-set") && !names.contains("map-set")) {
            throw new InvalidValueException("target SET needs --add-set, --del-set or --map-set");
        }
        for (String addOnly : List.of("exist", "timeout")) {
            if (names.contains(addOnly) && !names.contains("add-set")) {
                throw new InvalidValueException("--" + addOnly + " can only be used with --add-set");
            }
        }
        boolean mapFlag = false;
        for (String mapOnly : List.of("map-mark", "map-prio", "map-queue")) {
            if (names.contains(mapOnly) && !names.contains("map-set")) {
                throw new InvalidValueException("--" + mapOnly + " can only be used with --map-set");
            }
            mapFlag |= names.contains(mapOnly);
        }
        if (names.contains("map-set") && !mapFlag) {
            throw new InvalidValueException("--map-set needs --map-mark, --map-prio or --map-queue");
        }
        if (names.contains("map-set")) {
            Checks.requireTable(context, "--map-set", Table.MANGLE);
        }
        if (names.contains("map-prio") || names.contains("map-queue")) {
            Checks.requireHook(context, "--map-prio and --map-queue", Hook.SENDING);
        }
        return options;
    }
}
