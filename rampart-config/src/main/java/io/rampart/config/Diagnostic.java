package io.rampart.config;

import java.util.Optional;

/**
 * One finding about a ruleset source: an error stops it from being applied, a warning does not.
 *
 * @param hint what would be right, when that can be known ("did you mean --dport?")
 */
public record Diagnostic(Severity severity, SourceRef where, String message, Optional<String> hint) {

    public enum Severity { ERROR, WARNING }

    public static Diagnostic error(SourceRef where, String message) {
        return new Diagnostic(Severity.ERROR, where, message, Optional.empty());
    }

    public static Diagnostic warning(SourceRef where, String message) {
        return new Diagnostic(Severity.WARNING, where, message, Optional.empty());
    }

    public Diagnostic withHint(String text) {
        return new Diagnostic(severity, where, message, Optional.of(text));
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }
}
