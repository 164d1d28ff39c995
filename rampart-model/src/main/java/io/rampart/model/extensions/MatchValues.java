package io.rampart.model.extensions;

import io.rampart.model.Hook;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Value types and checks the network matches share. */
final class MatchValues {

    private MatchValues() {
    }

    /**
     * {@code min[:max]} with either end optional, numbers in any base strtoul takes, printed as
     * {@code N} or {@code N:M}. A reversed range is refused unless {@code reversedAllowed}.
     */
    static ValueType numberRange(long max, boolean reversedAllowed) {
        return Values.of("range", "value[:value]", (raw, ctx) -> {
            long[] range = parseRange(raw, max);
            if (range[0] > range[1] && !reversedAllowed) {
                throw new InvalidValueException("invalid range `" + raw + "': the first value is above the last");
            }
            return range[0] == range[1] ? Long.toString(range[0]) : range[0] + ":" + range[1];
        });
    }

    static long[] parseRange(String raw, long max) throws InvalidValueException {
        int colon = raw.indexOf(':');
        if (colon < 0) {
            long value = Values.parseUnsigned(raw, 0, max);
            return new long[] {value, value};
        }
        String from = raw.substring(0, colon);
        String to = raw.substring(colon + 1);
        return new long[] {from.isEmpty() ? 0 : Values.parseUnsigned(from, 0, max),
                to.isEmpty() ? max : Values.parseUnsigned(to, 0, max)};
    }

    /** A port as xtables_parse_port reads it: a number in any base, else a service of {@code protocol}. */
    static int port(String raw, String protocol) throws InvalidValueException {
        try {
            return (int) Values.parseUnsigned(raw, 0, 65535);
        } catch (InvalidValueException notANumber) {
            return NameDatabase.system().servicePort(raw, protocol).orElseThrow(() -> new InvalidValueException(
                    "invalid port/service `" + raw + "' specified (no " + protocol + " service of that name)"));
        }
    }

    /** Refuses a match unless the rule says {@code -p} with one of the protocols, without {@code !}. */
    static String requireProtocol(ValueContext context, String who, Set<String> protocols)
            throws InvalidValueException {
        Optional<String> protocol = context.exactProtocol();
        if (protocol.isEmpty() || !protocols.contains(protocol.get())) {
            String wanted = String.join(", ", protocols.stream().sorted().map(p -> "-p " + p).toList());
            throw new InvalidValueException(who + " needs " + wanted + " (without `!') before it");
        }
        return protocol.get();
    }

    /** Refuses an option in a built-in chain whose hook the kernel does not allow it in. */
    static void requireHook(ValueContext context, String option, Set<Hook> hooks) throws InvalidValueException {
        Optional<Hook> hook = context.hookIfBuiltin();
        if (hook.isPresent() && !hooks.contains(hook.get())) {
            throw new InvalidValueException("--" + option + " is only valid in "
                    + String.join(", ", hooks.stream().sorted().map(Hook::name).toList()) + ", not in "
                    + hook.get().name());
        }
    }

    /**
     * {@code value[/mask]} or a name from an iproute2 table (xtables_parse_val_mask), printed
     * as the name when the mask is full and the value has one, else in hex.
     */
    static ValueType namedValueMask(String tableFile) {
        IdNames names = IdNames.read(Path.of(tableFile));
        return Values.of("value-mask", "value[/mask]|name", (raw, ctx) -> {
            int slash = raw.indexOf('/');
            Long value = null;
            try {
                value = Values.parseUnsigned(slash < 0 ? raw : raw.substring(0, slash), 0, 0xffffffffL);
            } catch (InvalidValueException notANumber) {
                // Then the whole text is looked up as a name.
            }
            if (value == null) {
                Long named = names.id(raw);
                if (named == null) {
                    throw new InvalidValueException("`" + raw + "' is neither a number nor a name in " + tableFile
                            + suggestion(raw, names));
                }
                return names.format(named);
            }
            if (slash < 0) {
                return names.format(value);
            }
            long mask = Values.parseUnsigned(raw.substring(slash + 1), 0, 0xffffffffL);
            return mask == 0xffffffffL ? names.format(value)
                    : "0x" + Long.toHexString(value) + "/0x" + Long.toHexString(mask);
        });
    }

    private static String suggestion(String raw, IdNames names) {
        return io.rampart.model.extension.Suggestions.didYouMean(raw, names.byName.keySet());
    }

    /** An iproute2 table of {@code id name} lines, read like xtables_lmap_init. */
    record IdNames(Map<String, Long> byName, Map<Long, String> byId) {

        static IdNames read(Path file) {
            Map<String, Long> byName = new LinkedHashMap<>();
            Map<Long, String> byId = new HashMap<>();
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (IOException e) {
                // Without the file only numbers are understood, as with iptables.
                lines = List.of();
            }
            for (String line : lines) {
                String[] fields = line.replaceFirst("#.*", "").trim().split("\\s+");
                if (fields.length < 2) {
                    continue;
                }
                try {
                    long id = Values.parseUnsigned(fields[0], 0, 0xffffffffL);
                    byName.putIfAbsent(fields[1], id);
                    byId.putIfAbsent(id, fields[1]);
                } catch (InvalidValueException e) {
                    // iptables skips lines that do not start with a number too.
                }
            }
            return new IdNames(byName, byId);
        }

        Long id(String name) {
            return byName.get(name);
        }

        String format(long id) {
            return byId.getOrDefault(id, "0x" + Long.toHexString(id));
        }
    }
}
