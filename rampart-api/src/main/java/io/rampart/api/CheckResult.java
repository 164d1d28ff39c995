package io.rampart.api;

import java.util.List;

/** What {@code check} found in a ruleset text: nothing, or errors with where they are. */
public record CheckResult(boolean ok, List<Finding> diagnostics) {

    public CheckResult {
        diagnostics = List.copyOf(diagnostics);
    }

    /**
     * One finding.
     *
     * @param severity {@code error} or {@code warning}
     * @param hint     what would be right, when that can be known; or null
     * @param located  the command line's message: {@code source:line:col: error: ...}, the line and a caret
     */
    public record Finding(String severity, int line, int column, String message, String hint, String located) {

        @com.fasterxml.jackson.annotation.JsonIgnore
        public boolean isError() {
            return severity.equals("error");
        }
    }
}
