package io.rampart.system.agent;

import io.rampart.model.Failure;

/** The ruleset file cannot be read or does not parse; the message says where ({@code file:line:col}). */
public class InvalidFileException extends Failure {
    private static final long serialVersionUID = 1L;

    public InvalidFileException(String message) {
        super(Category.INPUT, message);
    }
}
