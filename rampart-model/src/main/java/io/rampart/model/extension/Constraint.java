package io.rampart.model.extension;

/**
 * What one option of a match says about a packet: the field it tests and how the field compares
 * with the option's value ({@code !} inverts the outcome).
 */
public record Constraint(PacketField field, Comparison comparison) {

    /** How the field compares with the value. */
    public enum Comparison {
        /** The value's own test: in the range, within the network, equal under the mask, one of the words. */
        IS,
        /** Below the value (a number). */
        BELOW,
        /** Above the value (a number). */
        ABOVE
    }

    public Constraint {
        java.util.Objects.requireNonNull(field, "field");
        java.util.Objects.requireNonNull(comparison, "comparison");
    }
}
