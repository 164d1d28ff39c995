package io.rampart.model.extensions;

import io.rampart.model.extension.InvalidValueException;

/**
 * How iptables' C code reads numbers with atoi, atoll and strtoul: leading blanks and a sign are
 * skipped, digits are read as far as they go, and whatever follows is left for the caller.
 */
final class CNumbers {

    private CNumbers() {
    }

    /** A number read from the front of a text, and where the reading stopped. */
    record Prefix(long value, int end, boolean overflow) {
    }

    /**
     * strtoul/strtoull: the value wraps like C's unsigned arithmetic (a leading minus negates it)
     * and saturates at 2^64-1; with no digits the end is 0, as C sets it to the start.
     */
    static Prefix strtoul(String text, int base) {
        int at = skipBlanks(text, 0);
        boolean minus = false;
        if (at < text.length() && (text.charAt(at) == '+' || text.charAt(at) == '-')) {
            minus = text.charAt(at) == '-';
            at++;
        }
        int radix = base;
        if ((base == 0 || base == 16) && (text.startsWith("0x", at) || text.startsWith("0X", at))) {
            if (at + 2 < text.length() && Character.digit(text.charAt(at + 2), 16) >= 0) {
                radix = 16;
                at += 2;
            }
        }
        if (radix == 0) {
            radix = at < text.length() && text.charAt(at) == '0' ? 8 : 10;
        }
        int start = at;
        long value = 0;
        boolean overflow = false;
        while (at < text.length() && Character.digit(text.charAt(at), radix) >= 0) {
            int digit = Character.digit(text.charAt(at), radix);
            long limit = Long.divideUnsigned(-1L - digit, radix);
            if (Long.compareUnsigned(value, limit) > 0) {
                overflow = true;
            }
            value = value * radix + digit;
            at++;
        }
        if (at == start) {
            return new Prefix(0, 0, false);
        }
        if (overflow) {
            return new Prefix(-1L, at, true);
        }
        return new Prefix(minus ? -value : value, at, false);
    }

    /** atoll: a signed decimal prefix, saturated at the long range; 0 when there are no digits. */
    static long atoll(String text) {
        int at = skipBlanks(text, 0);
        boolean minus = false;
        if (at < text.length() && (text.charAt(at) == '+' || text.charAt(at) == '-')) {
            minus = text.charAt(at) == '-';
            at++;
        }
        long value = 0;
        while (at < text.length() && Character.isDigit(text.charAt(at))) {
            int digit = text.charAt(at) - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) {
                return minus ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
            value = value * 10 + digit;
            at++;
        }
        return minus ? -value : value;
    }

    /** atoi as glibc has it: atoll's value cut to 32 bits. */
    static int atoi(String text) {
        return (int) atoll(text);
    }

    /**
     * xtables_strtoul with base 0: the whole text must be a number within bounds (unsigned,
     * compared as such), no minus sign.
     */
    static long whole(String raw, long min, long max, String option) throws InvalidValueException {
        Prefix number = strtoul(raw, 0);
        boolean negative = raw.stripLeading().startsWith("-");
        if (negative || number.end() == 0 || number.end() != raw.length() || number.overflow()
                || Long.compareUnsigned(number.value(), min) < 0 || Long.compareUnsigned(number.value(), max) > 0) {
            throw new InvalidValueException("bad value `" + raw + "' for " + option + ": a number from " + min + " to "
                    + Long.toUnsignedString(max) + " is expected");
        }
        return number.value();
    }

    private static int skipBlanks(String text, int at) {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
        return at;
    }
}
