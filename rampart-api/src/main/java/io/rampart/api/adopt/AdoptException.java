package io.rampart.api.adopt;

/** Adopting would leave the file saying something other than the kernel: nothing is written. */
public final class AdoptException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AdoptException(String message) {
        super(message);
    }
}
