package io.rampart.model.extension;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** The argument types most extensions share. */
public final class Values {

    private Values() {
    }

    /** A type given by its name, its syntax and a canonicalizing function. */
    public record Simple(String name, String syntax, Quoting quoting, Parser parser) implements ValueType {
        @Override
        public String canonical(String raw, ValueContext context) throws InvalidValueException {
            return parser.parse(raw, context);
        }
    }

    /** The canonicalizing function of a {@link Simple} type. */
    @FunctionalInterface
    public interface Parser {
        String parse(String raw, ValueContext context) throws InvalidValueException;
    }

    public static ValueType of(String name, String syntax, Parser parser) {
        return new Simple(name, syntax, Quoting.NONE, parser);
    }

    public static ValueType quoted(String name, String syntax, Quoting quoting, Parser parser) {
        return new Simple(name, syntax, quoting, parser);
    }

    /** Free text up to {@code maxLength} bytes, quoted by iptables-save when needed. */
    public static ValueType text(int maxLength) {
        return quoted("string", "text", Quoting.WHEN_NEEDED, (raw, ctx) -> {
            if (raw.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > maxLength) {
                throw new InvalidValueException("`" + raw + "' is longer than " + maxLength + " characters");
            }
            return raw;
        });
    }

    /** An unsigned integer in a range, printed in decimal. */
    public static ValueType decimal(long min, long max) {
        return of("integer", min + ".." + max, (raw, ctx) -> Long.toString(parseUnsigned(raw, min, max)));
    }

    /** An unsigned integer in a range, printed as lower-case hex with {@code 0x}. */
    public static ValueType hex(long min, long max) {
        return of("integer", min + ".." + max, (raw, ctx) -> "0x" + Long.toHexString(parseUnsigned(raw, min, max)));
    }

    /**
     * Parses an unsigned number the way strtoul with base 0 does (decimal, {@code 0x} hex or
     * leading-zero octal), within bounds.
     */
    public static long parseUnsigned(String raw, long min, long max) throws InvalidValueException {
        long value;
        try {
            String text = raw.trim();
            if (text.startsWith("0x") || text.startsWith("0X")) {
                value = Long.parseUnsignedLong(text.substring(2), 16);
            } else if (text.length() > 1 && text.startsWith("0")) {
                value = Long.parseUnsignedLong(text.substring(1), 8);
            } else {
                value = Long.parseUnsignedLong(text);
            }
            if (!text.equals(raw) || text.isEmpty() || text.startsWith("+")) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new InvalidValueException("`" + raw + "' is not a number");
        }
        if (value < min || value > max) {
            throw new InvalidValueException("`" + raw + "' is out of range " + min + "-" + max);
        }
        return value;
    }

    /** One of a fixed set of words; aliases map to their canonical word. */
    public static ValueType choice(String name, Map<String, String> wordsAndAliases) {
        Map<String, String> words = new LinkedHashMap<>(wordsAndAliases);
        String syntax = String.join("|", new java.util.LinkedHashSet<>(words.values()));
        return of(name, syntax, (raw, ctx) -> {
            String canonical = words.get(raw);
            if (canonical == null) {
                throw new InvalidValueException("`" + raw + "' is not one of " + syntax.replace("|", ", ")
                        + Suggestions.didYouMean(raw, words.keySet()));
            }
            return canonical;
        });
    }

    /** One of the given words, each its own canonical spelling. */
    public static ValueType choice(String name, String... words) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String word : words) {
            map.put(word, word);
        }
        return choice(name, map);
    }

    /**
     * A comma-separated set of words printed in a fixed order (the kernel keeps a bit mask), e.g.
     * conntrack states. {@code aliases} maps extra input spellings to canonical words.
     */
    public static ValueType wordSet(String name, List<String> canonicalOrder, Map<String, String> aliases,
                                    Function<String, String> normalizeInput) {
        String syntax = String.join(",", canonicalOrder) + " (any of them)";
        return of(name, syntax, (raw, ctx) -> {
            boolean[] seen = new boolean[canonicalOrder.size()];
            if (raw.isEmpty()) {
                throw new InvalidValueException("an empty list of " + name);
            }
            for (String part : raw.split(",", -1)) {
                String word = normalizeInput.apply(part);
                word = aliases.getOrDefault(word, word);
                int index = canonicalOrder.indexOf(word);
                if (index < 0) {
                    throw new InvalidValueException("`" + part + "' is not one of " + String.join(", ", canonicalOrder)
                            + Suggestions.didYouMean(part, canonicalOrder));
                }
                seen[index] = true;
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < seen.length; i++) {
                if (seen[i]) {
                    out.add(canonicalOrder.get(i));
                }
            }
            return String.join(",", out);
        });
    }

    public static Function<String, String> upperCase() {
        return word -> word.toUpperCase(Locale.ROOT);
    }

    /** A network interface name; a trailing {@code +} matches every name with that prefix. */
    public static final ValueType INTERFACE = of("interface", "name[+]", (raw, ctx) -> {
        if (raw.isEmpty()) {
            throw new InvalidValueException("Empty interface is likely to be undesired");
        }
        if (raw.length() > 15) {
            throw new InvalidValueException("interface name `" + raw + "' must be shorter than 16 characters");
        }
        return raw;
    });

    /** A port by decimal number or by service name of the rule's protocol (xtables' option parser). */
    public static final ValueType PORT = of("port", "port", (raw, ctx) -> Integer.toString(port(raw, ctx, false)));

    /**
     * A port or an inclusive range {@code first:last}, either end optional, as xtables' option
     * parser reads it: decimal numbers or service names; a reversed range is kept (it matches nothing).
     */
    public static final ValueType PORT_RANGE = of("port-range", "port[:port]",
            (raw, ctx) -> portRange(raw, ctx, false, true));

    /**
     * A port range as extensions with their own parser (tcp) read it: numbers in any base strtoul
     * takes (decimal, 0x hex, 0 octal) or service names, and the first port no higher than the last.
     */
    public static final ValueType PORT_RANGE_ANY_BASE = of("port-range", "port[:port]",
            (raw, ctx) -> portRange(raw, ctx, true, false));

    static int port(String raw, ValueContext context, boolean anyBase) throws InvalidValueException {
        boolean decimal = !raw.isEmpty() && raw.chars().allMatch(Character::isDigit);
        try {
            if (anyBase) {
                return (int) parseUnsigned(raw, 0, 65535);
            } else if (decimal) {
                return (int) parseDecimal(raw, 65535);
            }
        } catch (InvalidValueException notANumber) {
            // iptables then tries the text as a service name.
        }
        String protocol = context.protocolIfAny().orElse("tcp");
        return NameDatabase.system().servicePort(raw, protocol)
                .or(() -> NameDatabase.system().servicePort(raw, "tcp"))
                .orElseThrow(() -> new InvalidValueException("invalid port/service `" + raw + "' specified"));
    }

    private static long parseDecimal(String digits, long max) throws InvalidValueException {
        if (digits.length() > 18 || Long.parseLong(digits) > max) {
            throw new InvalidValueException("`" + digits + "' is out of range 0-" + max);
        }
        return Long.parseLong(digits);
    }

    static String portRange(String raw, ValueContext context, boolean anyBase, boolean reversedAllowed)
            throws InvalidValueException {
        int colon = raw.indexOf(':');
        if (colon < 0) {
            return Integer.toString(port(raw, context, anyBase));
        }
        String from = raw.substring(0, colon);
        String to = raw.substring(colon + 1);
        int low = from.isEmpty() ? 0 : port(from, context, anyBase);
        int high = to.isEmpty() ? 65535 : port(to, context, anyBase);
        if (low > high && !reversedAllowed) {
            throw new InvalidValueException("invalid port range `" + raw + "' (min > max)");
        }
        return low == high ? Integer.toString(low) : low + ":" + high;
    }

    /** {@code value[/mask]} printed as iptables-save does: {@code 0xV} or {@code 0xV/0xM}. */
    public static ValueType markMask(long max) {
        return of("value-mask", "value[/mask]", (raw, ctx) -> {
            int slash = raw.indexOf('/');
            long value = parseUnsigned(slash < 0 ? raw : raw.substring(0, slash), 0, max);
            if (slash < 0) {
                return "0x" + Long.toHexString(value);
            }
            long mask = parseUnsigned(raw.substring(slash + 1), 0, max);
            return "0x" + Long.toHexString(value) + "/0x" + Long.toHexString(mask);
        });
    }
}
