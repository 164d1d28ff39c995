package io.rampart.cli;

import io.rampart.api.ApiException;
import io.rampart.system.SystemException;
import picocli.CommandLine;

/** Turns failures into one line on stderr and an exit code; a stack trace only with --debug. */
final class Failures implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parsed) {
        boolean debug = parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--debug"))
                || parsed.hasMatchedOption("--debug");
        if (e instanceof InputException) {
            commandLine.getErr().println("rampart: " + e.getMessage());
            return ExitCode.BAD_INPUT;
        }
        if (e instanceof ApiException failed) {
            commandLine.getErr().println("rampart: " + failed.getMessage());
            return failed.exitCode();
        }
        if (e instanceof SystemException) {
            commandLine.getErr().println("rampart: " + e.getMessage());
            return ExitCode.SYSTEM;
        }
        commandLine.getErr().println("rampart: internal error: " + e + (debug ? "" : " (run with --debug for details)"));
        if (debug) {
            e.printStackTrace(commandLine.getErr());
        }
        return ExitCode.SYSTEM;
    }
}
