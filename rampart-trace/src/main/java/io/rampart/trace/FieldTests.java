package io.rampart.trace;

import io.rampart.model.Family;
import io.rampart.model.Option;
import io.rampart.model.extension.Constraint;

/** One option's {@link Constraint} as a condition: {@link PacketConditions} or {@link ConnConditions}. */
final class FieldTests {

    private FieldTests() {
    }

    /**
     * The condition {@code option} (typed) sets, or null when it restricts nothing a trace
     * distinguishes; an option whose value the model could not type is not evaluated.
     */
    static Condition of(Constraint constraint, Option option, String text, String ext, Family family) {
        try {
            return switch (constraint.field()) {
                case NONE -> null;
                case CT_STATE, CT_MARK, CT_PROTOCOL, CT_ORIGINAL_SOURCE, CT_ORIGINAL_DESTINATION, CT_REPLY_SOURCE,
                        CT_REPLY_DESTINATION, CT_ORIGINAL_SOURCE_PORT, CT_ORIGINAL_DESTINATION_PORT,
                        CT_REPLY_SOURCE_PORT, CT_REPLY_DESTINATION_PORT, CT_DIRECTION ->
                        ConnConditions.of(constraint.field(), option, text, ext);
                default -> PacketConditions.of(constraint, option, text, ext, family);
            };
        } catch (ClassCastException untyped) {
            return new Condition.Unknown(text, ext, text + ": a value the tracer cannot read");
        }
    }
}
