package io.rampart.reconcile;

/** The desired state cannot be reached from the live one; nothing was changed. */
public class PlanException extends Exception {
    private static final long serialVersionUID = 1L;

    public PlanException(String message) {
        super(message);
    }
}
