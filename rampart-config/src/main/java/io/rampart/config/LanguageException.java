package io.rampart.config;

import io.rampart.model.Failure;

/** A mistake in a statement of the language, at a source column, with what would be right when known. */
final class LanguageException extends Failure {
    private static final long serialVersionUID = 1L;

    LanguageException(String message, int column) {
        this(message, column, null);
    }

    LanguageException(String message, int column, String hint) {
        super(Category.INPUT, message, hint, Location.column(column), null, false);
    }

    int column() {
        return location().column();
    }
}
