package io.rampart.model.extension;

import io.rampart.model.value.InterfaceName;
import io.rampart.model.value.NumberValue;
import io.rampart.model.value.Range;
import io.rampart.model.value.Text;
import io.rampart.model.value.Value;
import java.nio.charset.StandardCharsets;

/** The argument types most extensions share. */
public final class Values {

    private Values() {
    }

    /**
     * A type given by its name, its syntax, a canonicalizing function, how a canonical spelling
     * reads as a value, and whether the argument may be left out.
     */
    public record Simple(String name, String syntax, Quoting quoting, Parser parser, Reader reader, boolean optional)
            implements ValueType {
        @Override
        public String canonical(String raw, ValueContext context) throws InvalidValueException {
            return parser.parse(raw, context);
        }

        @Override
        public Value value(String canonical) {
            return reader.read(canonical);
        }
    }

    /** The value of a canonical spelling of a {@link Simple} type. */
    @FunctionalInterface
    public interface Reader {
        Value read(String canonical);
    }

    /** The canonicalizing function of a {@link Simple} type. */
    @FunctionalInterface
    public interface Parser {
        String parse(String raw, ValueContext context) throws InvalidValueException;
    }

    public static ValueType of(String name, String syntax, Parser parser) {
        return new Simple(name, syntax, Quoting.NONE, parser, Text::new, false);
    }

    /** A type whose canonical spellings {@code reader} turns into values. */
    public static ValueType typed(String name, String syntax, Parser parser, Reader reader) {
        return new Simple(name, syntax, Quoting.NONE, parser, reader, false);
    }

    public static ValueType quoted(String name, String syntax, Quoting quoting, Parser parser) {
        return new Simple(name, syntax, quoting, parser, Text::new, false);
    }

    /** Free text cut to {@code maxBytes} bytes, as a kernel's fixed-size field keeps it; quoted when needed. */
    public static ValueType truncatedText(int maxBytes) {
        return quoted("string", "text", Quoting.WHEN_NEEDED, (raw, ctx) -> {
            byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
            if (bytes.length <= maxBytes) {
                return raw;
            }
            int cut = maxBytes;
            while (cut > 0 && (bytes[cut] & 0xc0) == 0x80) {
                cut--;
            }
            return new String(bytes, 0, cut, StandardCharsets.UTF_8);
        });
    }

    /** {@code raw} cut to {@code maxChars}, as a kernel's fixed-size field keeps it. */
    public static String cut(String raw, int maxChars) {
        return raw.length() > maxChars ? raw.substring(0, maxChars) : raw;
    }

    /** Text kept in a fixed-size field: cut to {@code maxChars}, printed as it is (iptables-save does not quote it). */
    public static ValueType cutText(String name, int maxChars) {
        return of(name, "text (up to " + maxChars + " characters)", (raw, ctx) -> cut(raw, maxChars));
    }

    /** An unsigned integer in {@code min..max} (unsigned, up to 2^64-1) as xtables reads it, printed in decimal. */
    public static ValueType decimal(long min, long max) {
        return typed("integer", range(min, max),
                (raw, ctx) -> Long.toUnsignedString(CNumbers.xtables(raw, min, max)), NumberValue::parse);
    }

    /** An unsigned integer in a range as xtables reads it, printed as lower-case hex with {@code 0x}. */
    public static ValueType hex(long min, long max) {
        return typed("integer", range(min, max),
                (raw, ctx) -> "0x" + Long.toHexString(CNumbers.xtables(raw, min, max)), NumberValue::parse);
    }

    private static String range(long min, long max) {
        return Long.toUnsignedString(min) + ".." + Long.toUnsignedString(max);
    }

    /**
     * {@code min[:max]} with either end optional (0 and {@code max}), numbers as xtables reads
     * them, printed as {@code N} or {@code N:M}. A reversed range is refused unless
     * {@code reversedAllowed} (the kernel keeps it; it matches nothing).
     */
    public static ValueType numberRange(long max, boolean reversedAllowed) {
        return typed("range", "value[:value]", (raw, ctx) -> {
            if (raw.isEmpty()) {
                return "0"; // an empty component is 0, as xtables reads ranges
            }
            int colon = raw.indexOf(':');
            String from = colon < 0 ? raw : raw.substring(0, colon);
            String to = colon < 0 ? raw : raw.substring(colon + 1);
            long low = from.isEmpty() && colon >= 0 ? 0 : CNumbers.xtables(from, 0, max);
            long high = to.isEmpty() && colon >= 0 ? max : CNumbers.xtables(to, 0, max);
            if (low > high && !reversedAllowed) {
                throw new InvalidValueException("invalid range `" + raw + "': the first value is above the last");
            }
            return new Range(low, high).text();
        }, Range::parse);
    }

    /** {@code type}, but the argument may be left out (see {@link ValueType#optional()}). */
    public static ValueType optional(ValueType type) {
        return new Simple(type.name(), "[" + type.syntax() + "]", type.quoting(), type::canonical, type::value, true);
    }

    /** A network interface name; a trailing {@code +} matches every name with that prefix. */
    public static final ValueType INTERFACE = typed("interface", "name[+]", (raw, ctx) -> {
        if (raw.isEmpty()) {
            throw new InvalidValueException("Empty interface is likely to be undesired");
        }
        if (raw.length() > 15) {
            throw new InvalidValueException("interface name `" + raw + "' must be shorter than 16 characters");
        }
        return raw;
    }, InterfaceName::new);
}
