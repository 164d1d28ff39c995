package io.rampart.syntax;

import io.rampart.model.Failure;

/**
 * A rule iptables would refuse, with the column of the word that is wrong (1-based; 0 if none) and
 * what would be right when that is known.
 */
public class RuleSyntaxException extends Failure {
    private static final long serialVersionUID = 1L;

    public RuleSyntaxException(String message, int column) {
        this(message, column, null);
    }

    public RuleSyntaxException(String message, int column, String hint) {
        // the user's mistake: the message, column and hint say it all
        super(Category.INPUT, message, hint, Location.column(column), null, false);
    }

    public int column() {
        return location().column();
    }
}
