package io.rampart.cli;

/** The exit codes every command keeps (see the conventions in the README). */
public final class ExitCode {
    public static final int OK = 0;
    /** The input is wrong: a rule, a file, a flag value. */
    public static final int BAD_INPUT = 1;
    public static final int USAGE = 2;
    /** {@code status} found drift. */
    public static final int DRIFT = 3;
    /** The system refused or lacks something: kernel, iptables, lock, root. */
    public static final int SYSTEM = 4;

    private ExitCode() {
    }
}
