package io.rampart.model.value;

/**
 * A value under a mask, as marks and the TOS byte are matched ({@code (field & mask) == value}):
 * printed in hex, {@code 0xV/0xM} with at least {@code digits} digits each, the mask left out when
 * it is {@code full} and the option prints it so ({@code fullMaskShown} false).
 */
public record ValueMask(long value, long mask, long full, int digits, boolean fullMaskShown) implements Value {

    /** A 32-bit mark as the mark and connmark matches print it: the mask only when not all ones. */
    public static ValueMask mark(long value, long mask) {
        return new ValueMask(value, mask, 0xffffffffL, 1, false);
    }

    /** The TOS byte as the tos match prints it: always both, two digits each. */
    public static ValueMask tos(long value, long mask) {
        return new ValueMask(value, mask, 0xff, 2, true);
    }

    /**
     * A 32-bit mark as the mark targets print a change to it: {@code 0xV/0xM}, or {@code 0xV} for a
     * value given without a mask, whose mask is all ones ({@code masked} false).
     */
    public static ValueMask markChange(long value, long mask, boolean masked) {
        return new ValueMask(value, mask, 0xffffffffL, 1, masked);
    }

    /** Whether {@code field} under the mask is the value. */
    public boolean matches(long field) {
        return (field & mask) == value;
    }

    @Override
    public String text() {
        String v = hex(value);
        return mask == full && !fullMaskShown ? v : v + "/" + hex(mask);
    }

    private String hex(long number) {
        String digitsText = Long.toHexString(number);
        return "0x" + "0".repeat(Math.max(0, digits - digitsText.length())) + digitsText;
    }
}
