package io.rampart.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * One in-process run of the command line: its exit code and what it wrote to stdout and stderr.
 * Without an environment of its own it runs in an empty one, never this process's: a developer's
 * {@code SSH_CONNECTION} would otherwise reach the lockout guard.
 */
record Run(int exitCode, String out, String err) {

    static Run of(String... args) {
        return of("", Map.of(), args);
    }

    static Run withEnvironment(Map<String, String> environment, String... args) {
        return of("", environment, args);
    }

    static Run withStdin(String stdin, String... args) {
        return of(stdin, Map.of(), args);
    }

    /**
     * A Rampart JVM of its own gets only PATH (to find iptables and script(1)), so it no more
     * inherits this process's environment than an in-process run does.
     */
    static ProcessBuilder cleanEnvironment(ProcessBuilder builder) {
        builder.environment().keySet().retainAll(Set.of("PATH"));
        return builder;
    }

    private static Run of(String stdin, Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true), environment);
        return new Run(code, out.toString(), err.toString());
    }
}
