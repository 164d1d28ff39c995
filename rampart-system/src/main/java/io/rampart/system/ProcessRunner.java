package io.rampart.system;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs programs: the one place Rampart starts processes, so tests can count and replace them. */
public interface ProcessRunner {

    /**
     * How long the real runner waits for a program. Generous: on two loaded cores a million rules
     * in 100,000 chains take iptables-save and iptables-restore --noflush several minutes each.
     */
    long TIME_LIMIT_MINUTES = 30;

    /** Runs {@code command}, feeding {@code stdin} (may be empty), and waits for it to end. */
    ProcessResult run(List<String> command, String stdin);

    /**
     * Starts {@code command} and returns at once, for a monitor that runs as long as Rampart does.
     * Its stderr joins its stdout, so what it says when it fails is read with its output.
     */
    default Process start(List<String> command) {
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new SystemException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts {@code command} in a session of its own ({@code setsid}): no controlling terminal, stdin
     * from /dev/null, stdout and stderr appended to {@code log}. It outlives Rampart, the shell that
     * ran it and the terminal's hangup, and is not waited for. Returns its process id.
     */
    default long startDetached(List<String> command, Path log) {
        List<String> detached = new ArrayList<>(List.of("setsid"));
        detached.addAll(command);
        try {
            return new ProcessBuilder(detached).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectErrorStream(true).start()
                    .pid();
        } catch (IOException e) {
            throw new SystemException("cannot run setsid: " + e.getMessage(), e);
        }
    }

    /**
     * The real runner, with a time limit per process. Its output goes to a file that is read once
     * it ended: through a pipe, a ruleset dump of 100,000 rules (10 MB) stalls whenever the reading
     * JVM does (a garbage collection, a busy core), and the program waits with it. The file's name
     * is removed as soon as the program has it open, so nothing is left behind, whatever happens.
     */
    static ProcessRunner system() {
        return (command, stdin) -> {
            Process process;
            InputStream output;
            try {
                Path file = Files.createTempFile("rampart-", ".out");
                try {
                    output = Files.newInputStream(file);
                    try {
                        process = new ProcessBuilder(command).redirectOutput(file.toFile()).start();
                    } catch (IOException e) {
                        output.close();
                        throw e;
                    }
                } finally {
                    Files.delete(file);
                }
            } catch (IOException e) {
                throw new SystemException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
            }
            try (output) {
                CompletableFuture<String> err = readAsync(process.getErrorStream());
                try (OutputStream in = process.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // The program ended without reading its input; its exit code and stderr tell why.
                }
                if (!process.waitFor(TIME_LIMIT_MINUTES, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new SystemException(command.get(0) + " did not finish within " + TIME_LIMIT_MINUTES
                            + " minutes");
                }
                // Bytes as they are, any that are not UTF-8 replaced, as a pipe's were.
                return new ProcessResult(process.exitValue(), new String(output.readAllBytes(), StandardCharsets.UTF_8),
                        err.join(), process.pid());
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new SystemException("interrupted while running " + command.get(0), e);
            } catch (IOException e) {
                throw new SystemException("cannot read the output of " + command.get(0) + ": " + e.getMessage(), e);
            }
        };
    }

    private static CompletableFuture<String> readAsync(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }
}
