package io.rampart.config;

import java.util.regex.Pattern;

/** The shapes of the language's statements, shared by the interpreter that runs them and the formatter. */
final class Statements {
    /** {@code define NAME = VALUE}. */
    static final Pattern DEFINE = Pattern.compile("define\\s+(\\S+?)\\s*=\\s*(.*)");
    /** {@code macro NAME(PARAMETERS)} or {@code use NAME(ARGUMENTS)}. */
    static final Pattern CALL = Pattern.compile("(macro|use)\\s+([^\\s(]+)\\s*\\((.*)\\)");

    private Statements() {
    }
}
