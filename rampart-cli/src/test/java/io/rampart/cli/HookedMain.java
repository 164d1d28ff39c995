package io.rampart.cli;

import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The command line with a shutdown hook of another part of the program, as a test runs it in a JVM
 * of its own: {@code HookedMain NETNS MARKER ARGS...}. At shutdown the hook waits until the command
 * has returned, removes namespace NETNS and then writes MARKER; a JVM halted by another hook while
 * the command stops never gets that far.
 */
public final class HookedMain {

    private static final Duration STOP_WAIT = Duration.ofSeconds(20);

    private HookedMain() {
    }

    public static void main(String[] args) {
        String netns = args[0];
        Path marker = Path.of(args[1]);
        CountDownLatch returned = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> removeNamespace(returned, netns, marker),
                "remove " + netns));
        int code = Main.run(Arrays.copyOfRange(args, 2, args.length), System.in,
                new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8));
        returned.countDown();
        System.exit(code);
    }

    private static void removeNamespace(CountDownLatch returned, String netns, Path marker) {
        try {
            returned.await(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ProcessResult removed = ProcessRunner.system().run(List.of("ip", "netns", "del", netns), "");
        try {
            Files.writeString(marker, removed.ok() ? "removed " + netns + "\n" : removed.stderr());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
