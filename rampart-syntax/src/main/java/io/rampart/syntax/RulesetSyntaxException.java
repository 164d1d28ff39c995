package io.rampart.syntax;

import io.rampart.model.Failure;

/** A ruleset file iptables-restore would refuse, located by line and column (both from 1). */
public class RulesetSyntaxException extends Failure {
    private static final long serialVersionUID = 1L;

    public RulesetSyntaxException(String message, int line, int column) {
        this(message, line, column, null);
    }

    public RulesetSyntaxException(String message, int line, int column, String hint) {
        super(Category.INPUT, message, hint, new Location(null, line, column), null, true);
    }

    public int line() {
        return location().line();
    }

    public int column() {
        return location().column();
    }

    /** {@code line:col: message}, ready to be prefixed with the file name. */
    public String located() {
        return line() + ":" + Math.max(column(), 1) + ": " + getMessage();
    }
}
