package io.rampart.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One in-process run of the command line: its exit code and what it wrote to stdout and stderr.
 * Without an environment of its own it sees this process's.
 */
record Run(int exitCode, String out, String err) {

    static Run of(String... args) {
        return of("", System.getenv(), args);
    }

    static Run withEnvironment(Map<String, String> environment, String... args) {
        return of("", environment, args);
    }

    static Run withStdin(String stdin, String... args) {
        return of(stdin, System.getenv(), args);
    }

    private static Run of(String stdin, Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true), environment);
        return new Run(code, out.toString(), err.toString());
    }
}
