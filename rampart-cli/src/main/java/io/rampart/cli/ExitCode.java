package io.rampart.cli;

import io.rampart.model.Failure;

/** The exit codes every command keeps (see the conventions in the README): 0, or a failure's category's. */
public final class ExitCode {
    public static final int OK = 0;
    /** The input is wrong: a rule, a file, a flag value. */
    public static final int BAD_INPUT = Failure.Category.INPUT.exitCode();
    public static final int USAGE = Failure.Category.USAGE.exitCode();
    /** {@code status} found drift. */
    public static final int DRIFT = Failure.Category.DRIFT.exitCode();
    /** The system refused or lacks something: kernel, iptables, lock, root. */
    public static final int SYSTEM = Failure.Category.SYSTEM.exitCode();

    private ExitCode() {
    }
}
