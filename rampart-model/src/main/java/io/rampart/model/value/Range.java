package io.rampart.model.value;

/**
 * An inclusive range of unsigned numbers below 2^63 (ports, lengths, SPIs): printed {@code N} when
 * both ends agree, else {@code LOW:HIGH}. A reversed range is kept as the kernel keeps it; it
 * contains nothing.
 */
public record Range(long low, long high) implements Value {

    public static Range of(long value) {
        return new Range(value, value);
    }

    /** Reads a canonical {@code N} or {@code LOW:HIGH}. */
    public static Range parse(String canonical) {
        int colon = canonical.indexOf(':');
        if (colon < 0) {
            return of(Long.parseLong(canonical));
        }
        return new Range(Long.parseLong(canonical.substring(0, colon)), Long.parseLong(canonical.substring(colon + 1)));
    }

    public boolean contains(long value) {
        return value >= low && value <= high;
    }

    @Override
    public String text() {
        return low == high ? Long.toString(low) : low + ":" + high;
    }
}
