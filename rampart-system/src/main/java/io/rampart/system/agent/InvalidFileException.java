package io.rampart.system.agent;

/** The ruleset file cannot be read or does not parse; the message says where ({@code file:line:col}). */
public class InvalidFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidFileException(String message) {
        super(message);
    }
}
