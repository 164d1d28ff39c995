package io.rampart.model.extensions;

import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;

/** 32-bit marks and masks, as the mark and connmark matches and the mark targets read and keep them. */
final class Marks {

    static final long ALL = CNumbers.UINT32_MAX;

    private Marks() {
    }

    /** {@code value[/mask]} as xtables_parse_mark_mask reads it; a full mask is not printed (the matches). */
    static final ValueType MATCH_VALUE_MASK = Values.typed("value-mask", "value[/mask]", (raw, ctx) -> {
        ValueMask given = read(raw);
        return io.rampart.model.value.ValueMask.mark(given.value(), given.mask()).text();
    }, canonical -> {
        ValueMask read = ValueMask.parse(canonical);
        return io.rampart.model.value.ValueMask.mark(read.value(), read.mask());
    });

    /** {@code value[/mask]}, the mask kept when given, for the targets to rewrite: {@code 0xV} or {@code 0xV/0xM}. */
    static final ValueType TARGET_VALUE_MASK = Values.typed("value-mask", "value[/mask]",
            (raw, ctx) -> raw.indexOf('/') < 0 ? hex(read(raw).value()) : read(raw).format(), canonical -> {
                ValueMask read = ValueMask.parse(canonical);
                return io.rampart.model.value.ValueMask.markChange(read.value(), read.mask(),
                        canonical.indexOf('/') >= 0);
            });

    /** A 32-bit value printed in hex. */
    static final ValueType VALUE = Values.hex(0, ALL);

    static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }

    private static ValueMask read(String raw) throws InvalidValueException {
        int slash = raw.indexOf('/');
        long value = CNumbers.xtables(slash < 0 ? raw : raw.substring(0, slash), 0, ALL);
        long mask = slash < 0 ? ALL : CNumbers.xtables(raw.substring(slash + 1), 0, ALL);
        return new ValueMask(value, mask);
    }

    /** A value and mask as the kernel keeps a mark operation: clear the mask's bits, then xor the value. */
    record ValueMask(long value, long mask) {

        /** Reads a canonical {@code 0xV} or {@code 0xV/0xM}; a missing mask is all ones. */
        static ValueMask parse(String canonical) {
            int slash = canonical.indexOf('/');
            if (slash < 0) {
                return new ValueMask(parseHex(canonical), ALL);
            }
            return new ValueMask(parseHex(canonical.substring(0, slash)), parseHex(canonical.substring(slash + 1)));
        }

        static long parseHex(String canonical) {
            return Long.parseLong(canonical.substring(2), 16);
        }

        String format() {
            return Marks.hex(value) + "/" + Marks.hex(mask);
        }
    }
}
