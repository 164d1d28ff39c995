package io.rampart.api;

/** Error messages that point into ruleset text the way the command line's do. */
final class SourceText {

    private SourceText() {
    }

    /** {@code source:line:col: severity: message}, then the line and a caret under the column. */
    static String located(String source, String text, int line, int column, String severity, String message) {
        String shown = text.lines().skip(Math.max(0, line - 1)).findFirst().orElse("");
        int col = Math.max(1, column);
        return source + ":" + line + ":" + col + ": " + severity + ": " + message + "\n  " + shown + "\n  "
                + " ".repeat(Math.min(col - 1, shown.length())) + "^";
    }
}
