package io.rampart.system;

/** The system refused or lacks something Rampart needs (exit code 4 on the command line). */
public class SystemException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SystemException(String message) {
        super(message);
    }

    public SystemException(String message, Throwable cause) {
        super(message, cause);
    }
}
