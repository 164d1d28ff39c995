package io.rampart.api;

/**
 * A command failed; the message is the one the command line prints, and {@code exitCode} the
 * code it exits with (1 bad input, 2 usage, 4 the system refused).
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final int BAD_INPUT = 1;
    public static final int USAGE = 2;
    public static final int SYSTEM = 4;

    private final int exitCode;

    public ApiException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
