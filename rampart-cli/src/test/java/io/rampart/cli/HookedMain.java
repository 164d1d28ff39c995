package io.rampart.cli;

import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * The command line with a shutdown hook of another part of the program, as a test runs it in a JVM
 * of its own: {@code HookedMain NETNS MARKER ARGS...}. At shutdown the hook waits until the command
 * has stopped its processes in namespace NETNS, removes the namespace and then writes MARKER; a
 * JVM halted by another hook never gets that far.
 */
public final class HookedMain {

    private static final Duration STOP_WAIT = Duration.ofSeconds(20);

    private HookedMain() {
    }

    public static void main(String[] args) {
        String netns = args[0];
        Path marker = Path.of(args[1]);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> removeNamespace(netns, marker), "remove " + netns));
        Main.main(Arrays.copyOfRange(args, 2, args.length));
    }

    private static void removeNamespace(String netns, Path marker) {
        ProcessRunner runner = ProcessRunner.system();
        Instant giveUp = Instant.now().plus(STOP_WAIT);
        while (!runner.run(List.of("ip", "netns", "pids", netns), "").stdout().isBlank()
                && Instant.now().isBefore(giveUp)) {
            Thread.onSpinWait();
        }
        ProcessResult removed = runner.run(List.of("ip", "netns", "del", netns), "");
        try {
            Files.writeString(marker, removed.ok() ? "removed " + netns + "\n" : removed.stderr());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
