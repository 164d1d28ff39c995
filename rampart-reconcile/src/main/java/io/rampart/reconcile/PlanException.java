package io.rampart.reconcile;

import io.rampart.model.Failure;

/** The desired state cannot be reached from the live one; nothing was changed. */
public class PlanException extends Failure {
    private static final long serialVersionUID = 1L;

    public PlanException(String message) {
        super(Category.INPUT, message);
    }
}
