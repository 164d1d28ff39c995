package io.rampart.syntax;

/** A rule iptables would refuse, with the column of the word that is wrong (1-based; 0 if none). */
public class RuleSyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int column;

    public RuleSyntaxException(String message, int column) {
        super(message, null, false, false); // the user's mistake: the message and column say it all
        this.column = column;
    }

    public int column() {
        return column;
    }
}
