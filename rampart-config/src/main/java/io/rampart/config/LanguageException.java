package io.rampart.config;

/** A mistake in a statement of the language, at a source column, with what would be right when known. */
final class LanguageException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int column;
    private final String hint;

    LanguageException(String message, int column) {
        this(message, column, null);
    }

    LanguageException(String message, int column, String hint) {
        super(message, null, false, false);
        this.column = column;
        this.hint = hint;
    }

    int column() {
        return column;
    }

    String hint() {
        return hint;
    }
}
