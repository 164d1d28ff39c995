package io.rampart.trace;

import io.rampart.model.Failure;

/** A packet, host description or assumption the tracer cannot use, with what is wrong. */
public class TraceInputException extends Failure {

    private static final long serialVersionUID = 1L;

    public TraceInputException(String message) {
        super(Category.INPUT, message);
    }
}
