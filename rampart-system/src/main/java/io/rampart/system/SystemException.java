package io.rampart.system;

import io.rampart.model.Failure;

/** The system refused or lacks something Rampart needs (exit code 4 on the command line). */
public class SystemException extends Failure {
    private static final long serialVersionUID = 1L;

    public SystemException(String message) {
        super(Category.SYSTEM, message);
    }

    public SystemException(String message, Throwable cause) {
        super(Category.SYSTEM, message, cause);
    }
}
