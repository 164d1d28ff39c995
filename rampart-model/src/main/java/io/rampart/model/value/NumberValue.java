package io.rampart.model.value;

/** One unsigned number, printed in decimal or as {@code 0x} and lower-case hex digits ({@code digits} at least). */
public record NumberValue(long value, boolean hex, int digits) implements Value {

    public static NumberValue decimal(long value) {
        return new NumberValue(value, false, 1);
    }

    /** Reads a canonical decimal or {@code 0x} hex number. */
    public static NumberValue parse(String canonical) {
        if (canonical.startsWith("0x")) {
            return new NumberValue(Long.parseUnsignedLong(canonical.substring(2), 16), true, canonical.length() - 2);
        }
        return decimal(Long.parseUnsignedLong(canonical));
    }

    @Override
    public String text() {
        if (!hex) {
            return Long.toUnsignedString(value);
        }
        String digitsText = Long.toHexString(value);
        return "0x" + "0".repeat(Math.max(0, digits - digitsText.length())) + digitsText;
    }
}
