package io.rampart.cli;

/** The user's input is wrong; the message says where and why (exit code 1). */
final class InputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InputException(String message) {
        super(message);
    }
}
