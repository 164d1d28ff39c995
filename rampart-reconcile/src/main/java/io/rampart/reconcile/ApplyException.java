package io.rampart.reconcile;

import io.rampart.model.Failure;

/**
 * The kernel refused an apply. iptables-restore commits each table atomically, so nothing of the
 * refused table was changed; the message names the source line the refused command came from.
 */
public class ApplyException extends Failure {
    private static final long serialVersionUID = 1L;

    public ApplyException(String message) {
        super(Category.SYSTEM, message);
    }
}
