package io.rampart.syntax;

/** A rule marked {@code -4} or {@code -6} for the other family; iptables-restore skips such lines. */
public class OtherFamilyException extends RuleSyntaxException {
    private static final long serialVersionUID = 1L;

    public OtherFamilyException(String message, int column) {
        super(message, column);
    }
}
