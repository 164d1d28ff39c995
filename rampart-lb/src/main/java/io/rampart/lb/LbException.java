package io.rampart.lb;

import io.rampart.model.Failure;

/**
 * The input is wrong: a flag value, a profile, or the state file. The message names what and where;
 * nothing was written to the kernel or the state file.
 */
public class LbException extends Failure {
    private static final long serialVersionUID = 1L;

    public LbException(String message) {
        super(Category.INPUT, message);
    }
}
