package io.rampart.api.adopt;

import io.rampart.model.Failure;

/** Adopting would leave the file saying something other than the kernel: nothing is written. */
public final class AdoptException extends Failure {

    private static final long serialVersionUID = 1L;

    public AdoptException(String message) {
        super(Category.SYSTEM, message);
    }
}
