package io.rampart.model.extension;

/**
 * A value, option or combination of options that iptables would refuse. The message is meant for
 * an operator: it names what is wrong and, where it can, what would be right.
 */
public class InvalidValueException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidValueException(String message) {
        // No stack trace: this is the user's mistake, reported by message, and parsers also use it
        // on hot paths (a port that is a service name is first tried as a number).
        super(message, null, false, false);
    }
}
