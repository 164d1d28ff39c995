package io.rampart.model.extension;

import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Numbers as iptables' C code reads them, one method per C behaviour, named after it. Every
 * extension reads its numbers here, so a spelling iptables takes in one place is taken in all.
 * Like C in the "C" locale: blanks are isspace(3)'s, digits are ASCII, and values are unsigned
 * 64-bit numbers held in a {@code long}.
 */
public final class CNumbers {

    public static final long UINT32_MAX = 0xffffffffL;
    private static final long ULONG_MAX = -1L;

    private CNumbers() {
    }

    /**
     * A number read from the front of a text.
     *
     * @param value    the value, in C's unsigned arithmetic
     * @param end      where reading stopped (where C's end pointer points)
     * @param found    whether there were digits at all (C then points the end at the start)
     * @param overflow whether the digits exceeded 64 bits (C's ERANGE; the value is then 2^64-1)
     */
    public record Read(long value, int end, boolean found, boolean overflow) {
    }

    /**
     * strtoul/strtoull/strtoumax from {@code from}: blanks, a sign, then digits of {@code base};
     * base 0 takes {@code 0x} hex, a leading-zero octal or decimal, base 16 an optional {@code 0x}.
     * A minus negates the value in unsigned arithmetic.
     */
    public static Read strtoul(String text, int from, int base) {
        int at = skipBlanks(text, from);
        boolean minus = false;
        if (at < text.length() && (text.charAt(at) == '+' || text.charAt(at) == '-')) {
            minus = text.charAt(at) == '-';
            at++;
        }
        int radix = base;
        boolean hexPrefix = text.startsWith("0x", at) || text.startsWith("0X", at);
        if ((base == 0 || base == 16) && hexPrefix && digit(text, at + 2, 16) >= 0) {
            radix = 16;
            at += 2;
        }
        if (radix == 0) {
            radix = at < text.length() && text.charAt(at) == '0' ? 8 : 10;
        }
        int start = at;
        long value = 0;
        boolean overflow = false;
        for (int digit = digit(text, at, radix); digit >= 0; digit = digit(text, ++at, radix)) {
            overflow |= Long.compareUnsigned(value, Long.divideUnsigned(ULONG_MAX - digit, radix)) > 0;
            value = value * radix + digit;
        }
        if (at == start) {
            return new Read(0, from, false, false);
        }
        if (overflow) {
            return new Read(ULONG_MAX, at, true, true);
        }
        return new Read(minus ? -value : value, at, true, false);
    }

    /** atoll: a signed decimal prefix, saturated at the {@code long} range; 0 without digits. */
    public static long atoll(String text) {
        int at = skipBlanks(text, 0);
        boolean minus = false;
        if (at < text.length() && (text.charAt(at) == '+' || text.charAt(at) == '-')) {
            minus = text.charAt(at) == '-';
            at++;
        }
        long value = 0;
        for (int digit = digit(text, at, 10); digit >= 0; digit = digit(text, ++at, 10)) {
            if (value > (Long.MAX_VALUE - digit) / 10) {
                return minus ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
            value = value * 10 + digit;
        }
        return minus ? -value : value;
    }

    /** atoi as glibc has it: atoll's value cut to 32 bits. */
    public static int atoi(String text) {
        return (int) atoll(text);
    }

    /**
     * sscanf's unsigned conversions: {@code %u}, {@code %hu}, {@code %hhu} (base 10) and
     * {@code %x} (base 16) read like strtoul, then the value is cut to the field's {@code bits}.
     */
    public static Read scanf(String text, int from, int base, int bits) {
        Read read = strtoul(text, from, base);
        long mask = bits == 64 ? ULONG_MAX : (1L << bits) - 1;
        return new Read(read.value() & mask, read.end(), read.found(), read.overflow());
    }

    /**
     * xtables_strtoul/xtables_strtoui with an end pointer: strtoul with base 0 after refusing a
     * minus, so leading blanks and a {@code +} are taken. Null when there are no digits, on
     * overflow, or outside {@code min..max} (compared unsigned); what follows is the caller's.
     */
    public static Read xtablesPrefix(String text, int from, long min, long max) {
        int at = skipBlanks(text, from);
        if (at < text.length() && text.charAt(at) == '-') {
            return null;
        }
        Read read = strtoul(text, from, 0);
        boolean inRange = Long.compareUnsigned(read.value(), min) >= 0 && Long.compareUnsigned(read.value(), max) <= 0;
        return read.found() && !read.overflow() && inRange ? read : null;
    }

    /** xtables_strtoul/xtables_strtoui without an end pointer: the whole text must be the number. */
    public static OptionalLong xtablesWhole(String text, long min, long max) {
        Read read = xtablesPrefix(text, 0, min, max);
        return read != null && read.end() == text.length() ? OptionalLong.of(read.value()) : OptionalLong.empty();
    }

    /** {@link #xtablesWhole}, refused with a message that says what was expected. */
    public static long xtables(String raw, long min, long max) throws InvalidValueException {
        OptionalLong value = xtablesWhole(raw, min, max);
        if (value.isEmpty()) {
            throw new InvalidValueException("`" + raw + "' is not a number from " + Long.toUnsignedString(min)
                    + " to " + Long.toUnsignedString(max));
        }
        return value.getAsLong();
    }

    /**
     * A numeric service as getaddrinfo(3) reads it (iptables' generic port options): the whole text
     * in decimal by strtoul, kept as a C int; a negative int is no number (a service name is looked
     * up instead), any other is a port modulo 65536.
     */
    public static OptionalInt numericService(String text) {
        Read read = strtoul(text, 0, 10);
        int number = (int) read.value();
        if (text.isEmpty() || read.end() != text.length() || number < 0) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(number & 0xffff);
    }

    /** A floating-point number read from the front of a text, and where reading stopped. */
    public record ReadDouble(double value, int end) {
    }

    /**
     * strtod in the "C" locale: blanks, a sign, then {@code inf}/{@code infinity}/{@code nan}, a
     * hex number ({@code 0x}, optional fraction and {@code p} exponent) or a decimal one (optional
     * fraction and {@code e} exponent); null when nothing was read.
     */
    public static ReadDouble strtod(String text) {
        int at = skipBlanks(text, 0);
        int signAt = at;
        if (at < text.length() && (text.charAt(at) == '+' || text.charAt(at) == '-')) {
            at++;
        }
        boolean minus = signAt < at && text.charAt(signAt) == '-';
        String rest = text.substring(at).toLowerCase(java.util.Locale.ROOT);
        if (rest.startsWith("inf")) {
            int length = rest.startsWith("infinity") ? 8 : 3;
            return new ReadDouble(minus ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY, at + length);
        }
        if (rest.startsWith("nan")) {
            return new ReadDouble(Double.NaN, at + 3);
        }
        boolean hex = rest.startsWith("0x") && (digit(text, at + 2, 16) >= 0
                || (text.startsWith(".", at + 2) && digit(text, at + 3, 16) >= 0));
        int radix = hex ? 16 : 10;
        int start = hex ? at + 2 : at;
        int end = digitsEnd(text, start, radix);
        int digits = end - start;
        if (end < text.length() && text.charAt(end) == '.') {
            int fractionEnd = digitsEnd(text, end + 1, radix);
            digits += fractionEnd - end - 1;
            end = fractionEnd;
        }
        if (digits == 0) {
            return null;
        }
        int mantissaEnd = end;
        char exponentMark = hex ? 'p' : 'e';
        if (end < text.length() && Character.toLowerCase(text.charAt(end)) == exponentMark) {
            int exponent = end + 1;
            if (exponent < text.length() && (text.charAt(exponent) == '+' || text.charAt(exponent) == '-')) {
                exponent++;
            }
            int exponentEnd = digitsEnd(text, exponent, 10);
            if (exponentEnd > exponent) {
                end = exponentEnd;
            }
        }
        String number = text.substring(at, end);
        double value = hex ? Double.parseDouble(end == mantissaEnd ? number + "p0" : number)
                : Double.parseDouble(number);
        return new ReadDouble(minus ? -value : value, end);
    }

    /**
     * C's conversion of a double to an unsigned int as x86-64 compilers emit it: truncated to a
     * 64-bit integer (0x8000000000000000 when out of range or NaN), of which the low 32 bits are kept.
     */
    public static long toUnsignedInt(double value) {
        if (Double.isNaN(value) || Math.abs(value) >= 0x1p63) {
            return 0;
        }
        return ((long) value) & UINT32_MAX;
    }

    private static int digitsEnd(String text, int from, int radix) {
        int at = from;
        while (digit(text, at, radix) >= 0) {
            at++;
        }
        return at;
    }

    private static int digit(String text, int at, int radix) {
        if (at >= text.length() || text.charAt(at) >= 128) {
            return -1;
        }
        return Character.digit(text.charAt(at), radix);
    }

    private static int skipBlanks(String text, int at) {
        while (at < text.length() && " \t\n\u000b\f\r".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
        return at;
    }
}
