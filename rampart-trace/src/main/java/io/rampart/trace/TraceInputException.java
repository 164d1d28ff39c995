package io.rampart.trace;

/** A packet, host description or assumption the tracer cannot use, with what is wrong. */
public class TraceInputException extends Exception {

    private static final long serialVersionUID = 1L;

    public TraceInputException(String message) {
        super(message);
    }
}
