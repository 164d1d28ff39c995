package io.rampart.model.extension;

import io.rampart.model.Failure;

/**
 * A value, option or combination of options that iptables would refuse. The message is meant for
 * an operator: it names what is wrong and, where it can, what would be right (the hint).
 */
public class InvalidValueException extends Failure {
    private static final long serialVersionUID = 1L;

    public InvalidValueException(String message) {
        this(message, null);
    }

    public InvalidValueException(String message, String hint) {
        // No stack trace: this is the user's mistake, reported by message, and parsers also use it
        // on hot paths (a port that is a service name is first tried as a number).
        super(Category.INPUT, message, hint, null, null, false);
    }
}
