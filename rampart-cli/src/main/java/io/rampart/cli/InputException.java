package io.rampart.cli;

import io.rampart.model.Failure;

/** The user's input is wrong; the message says where and why (exit code 1). */
final class InputException extends Failure {
    private static final long serialVersionUID = 1L;

    InputException(String message) {
        super(Category.INPUT, message);
    }
}
