package io.rampart.model.extensions;

import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import java.math.BigInteger;

/**
 * Numbers as xtables' own option parser reads them (strtoumax with base 0 after refusing a minus):
 * leading blanks and a plus sign are allowed, then decimal, {@code 0x} hex or leading-zero octal.
 */
final class XtablesNumbers {

    private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private XtablesNumbers() {
    }

    /** An unsigned integer in {@code 0..max} (max up to 2^64-1), printed in decimal. */
    static ValueType unsigned(String max) {
        BigInteger limit = new BigInteger(max);
        return Values.of("integer", "0.." + max, (raw, ctx) -> parse(raw, limit).toString());
    }

    static ValueType unsigned(long max) {
        return unsigned(Long.toString(max));
    }

    static long parse(String raw, long max) throws InvalidValueException {
        return parse(raw, BigInteger.valueOf(max)).longValueExact();
    }

    static BigInteger parse(String raw, BigInteger max) throws InvalidValueException {
        String text = raw.stripLeading();
        if (text.startsWith("+")) {
            text = text.substring(1);
        }
        int radix = 10;
        if (text.length() > 2 && (text.startsWith("0x") || text.startsWith("0X"))) {
            radix = 16;
            text = text.substring(2);
        } else if (text.length() > 1 && text.startsWith("0")) {
            radix = 8;
            text = text.substring(1);
        }
        BigInteger value;
        try {
            if (text.isEmpty() || !Character.isLetterOrDigit(text.charAt(0))) {
                throw new NumberFormatException();
            }
            value = new BigInteger(text, radix);
        } catch (NumberFormatException e) {
            throw new InvalidValueException("`" + raw + "' is not a number");
        }
        if (value.compareTo(max) > 0 || value.compareTo(MAX_U64) > 0) {
            throw new InvalidValueException("`" + raw + "' is out of range 0-" + max);
        }
        return value;
    }
}
