package io.rampart.cli;

import io.rampart.model.Failure;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * Turns failures into one line on stderr and an exit code; a stack trace only with --debug. Picocli's
 * runs reach it through Main's handler: a class of picocli's types could not be kept in the class cache.
 */
final class Failures {

    /** Runs {@code command} as picocli's command line runs it after reading its arguments. */
    static int run(Callable<Integer> command, PrintWriter err) {
        return run(command, err, false);
    }

    /** As {@link #run(Callable, PrintWriter)}, with a stack trace of an internal error when {@code debug}. */
    static int run(Callable<Integer> command, PrintWriter err, boolean debug) {
        try {
            return command.call();
        } catch (Exception e) {
            return handle(e, err, debug);
        }
    }

    /** Says {@code e} on {@code err} and returns its exit code. */
    static int handle(Exception e, PrintWriter err, boolean debug) {
        if (e instanceof Failure failed) {
            return report(failed, err);
        }
        err.println("rampart: internal error: " + e + (debug ? "" : " (run with --debug for details)"));
        if (debug) {
            e.printStackTrace(err);
        }
        return ExitCode.SYSTEM;
    }

    /** Says {@code failed} on {@code err} and returns its exit code. */
    static int report(Failure failed, PrintWriter err) {
        err.println("rampart: " + failed.getMessage());
        return exitCode(failed);
    }

    /** The exit code of {@code failed}: the one mapping of a failure for the command line. */
    static int exitCode(Failure failed) {
        return failed.category().exitCode();
    }
}
