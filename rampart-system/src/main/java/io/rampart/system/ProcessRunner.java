package io.rampart.system;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs programs: the one place Rampart starts processes, so tests can count and replace them. */
public interface ProcessRunner {

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

    /** The real runner, with a time limit per process. */
    static ProcessRunner system() {
        return (command, stdin) -> {
            Process process;
            try {
                process = new ProcessBuilder(command).start();
            } catch (IOException e) {
                throw new SystemException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
            }
            CompletableFuture<String> out = readAsync(process.getInputStream());
            CompletableFuture<String> err = readAsync(process.getErrorStream());
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // The program ended without reading its input; its exit code and stderr tell why.
            }
            try {
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new SystemException(command.get(0) + " did not finish within 120 s");
                }
                return new ProcessResult(process.exitValue(), out.join(), err.join());
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new SystemException("interrupted while running " + command.get(0), e);
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
