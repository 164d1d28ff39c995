package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.system.Iptables;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.LockFile;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import io.rampart.system.WriterLock;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Rampart's writers started at the same moment on one namespace: one writes at a time, none fails. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WritersCliKernelTest {

    private static final String FIRST = """
            *filter
            :INPUT ACCEPT [0:0]
            :APP - [0:0]
            # rampart: shared FORWARD head
            -A INPUT -i lo -j ACCEPT
            -A INPUT -p tcp --dport 22 -j APP
            -A FORWARD -s 10.1.0.1 -j ACCEPT
            -A FORWARD -j APP
            -A APP -s 192.0.2.0/24 -j ACCEPT
            COMMIT
            """;
    private static final String SECOND = """
            *filter
            :INPUT ACCEPT [0:0]
            :APP - [0:0]
            :WEB - [0:0]
            # rampart: shared FORWARD head
            -A INPUT -p tcp --dport 80 -j WEB
            -A INPUT -p tcp --dport 22 -j APP
            -A INPUT -i lo -j ACCEPT
            -A FORWARD -j WEB
            -A FORWARD -s 10.2.0.1 -j DROP
            -A APP -s 198.51.100.0/24 -j ACCEPT
            -A APP -j DROP
            -A WEB -j ACCEPT
            COMMIT
            """;

    private Netns netns;
    private String name;

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        KernelTestSupport.requireKernel();
        netns = Netns.throwaway("writers", ProcessRunner.system());
        name = netns.name().orElseThrow();
        ProcessResult foreign = netns.run(List.of("iptables", "-w", "-A", "FORWARD", "-s", "203.0.113.9", "-j", "DROP"),
                "");
        assertThat(foreign.ok()).as(foreign.stderr()).isTrue();
    }

    @AfterEach
    void stop() {
        if (netns != null) {
            netns.close();
        }
    }

    private String file(String fileName, String text) throws IOException {
        return Files.writeString(dir.resolve(fileName), text).toString();
    }

    /** The command line in a process of its own, as an operator's shell or a timer runs it. */
    private static CompletableFuture<ProcessResult> rampart(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = String.join(File.pathSeparator, System.getProperty("java.class.path").split(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-cp", classPath,
                Main.class.getName()));
        command.addAll(List.of(args));
        return CompletableFuture.supplyAsync(() -> ProcessRunner.system().run(command, ""));
    }

    /** Which of the files the kernel holds: exactly one, or the test fails. */
    private String holds(String... files) {
        List<String> held = new ArrayList<>();
        for (String file : files) {
            if (Run.of("status", "--netns", name, file).exitCode() == ExitCode.OK) {
                held.add(file);
            }
        }
        assertThat(held).as("the files the kernel holds").hasSize(1);
        assertThat(new Iptables(netns, Family.IPV4).save()).contains("-A FORWARD -s 203.0.113.9/32 -j DROP\n");
        return held.get(0);
    }

    @Test
    void twoAppliesStartedTogetherBothSucceedAndTheKernelHoldsOneFile() throws Exception {
        String first = file("first.rules", FIRST);
        String second = file("second.rules", SECOND);
        for (int round = 0; round < 3; round++) {
            CompletableFuture<ProcessResult> one = rampart("apply", "--netns", name, first);
            CompletableFuture<ProcessResult> other = rampart("apply", "--netns", name, second);
            assertThat(one.get().exitCode()).as(one.get().stderr()).isZero();
            assertThat(other.get().exitCode()).as(other.get().stderr()).isZero();
            holds(first, second);
        }
    }

    @Test
    void aSwitchAndAnApplyStartedTogetherBothSucceed() throws Exception {
        String first = file("first.rules", FIRST);
        String second = file("second.rules", SECOND);
        for (int round = 0; round < 3; round++) {
            assertThat(Run.of("apply", "--netns", name, first).exitCode()).isZero();
            Run staged = Run.of("stage", "--netns", name, "next", second);
            assertThat(staged.exitCode()).as(staged.err()).isZero();
            CompletableFuture<ProcessResult> switched = rampart("switch", "--netns", name, "next");
            CompletableFuture<ProcessResult> applied = rampart("apply", "--netns", name, first);
            assertThat(switched.get().exitCode()).as(switched.get().stderr()).isZero();
            assertThat(applied.get().exitCode()).as(applied.get().stderr()).isZero();
            List<String> input = new Iptables(netns, Family.IPV4).save().lines()
                    .filter(l -> l.startsWith("-A INPUT ")).toList();
            boolean stageLive = input.equals(List.of("-A INPUT -j RS.next.INPUT"));
            boolean fileLive = Run.of("status", "--netns", name, first).exitCode() == ExitCode.OK;
            assertThat(stageLive ^ fileLive).as("exactly one of the file and the stage is live: " + input).isTrue();
            // Back to a known start: the file applied, the stages gone.
            assertThat(Run.of("apply", "--netns", name, first).exitCode()).isZero();
            for (String stage : List.of("next", "previous")) {
                Run.of("unstage", "--netns", name, stage);
            }
        }
    }

    @Test
    void aWriterThatWaitsTooLongNamesTheHolderExitsFourAndChangesNothing() throws Exception {
        String first = file("first.rules", FIRST);
        String before = new Iptables(netns, Family.IPV4).save();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            try (LockFile.Held lock = WriterLock.hold(netns, Family.IPV4, new WriterLock.Waiting(Duration.ofSeconds(5),
                    notice -> { }))) {
                held.countDown();
                release.await(5, TimeUnit.MINUTES); // released by the test; the bound only ends a test that hangs
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "holding the lock");
        holder.start();
        try {
            assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
            Run waited = Run.of("apply", "--netns", name, "--wait", "1", first);
            assertThat(waited.exitCode()).isEqualTo(ExitCode.SYSTEM);
            String self = "pid " + ProcessHandle.current().pid();
            assertThat(waited.err()).contains("waiting for the lock of the IPv4 rules of namespace " + name)
                    .contains(self).contains("thread holding the lock")
                    .contains("gave up after 1 s").contains("nothing was changed");
            Run json = Run.of("stage", "--netns", name, "--wait", "1", "--json", "next", first);
            assertThat(json.exitCode()).isEqualTo(ExitCode.SYSTEM);
            assertThat(json.err().lines().findFirst().orElseThrow()).startsWith("{\"waiting\":")
                    .contains("\"pid\":" + ProcessHandle.current().pid());
            // Another process waits on the lock file itself, and reads there who holds it.
            ProcessResult other = rampart("apply", "--netns", name, "--wait", "1", first).get();
            assertThat(other.exitCode()).as(other.stderr()).isEqualTo(ExitCode.SYSTEM);
            assertThat(other.stderr()).contains(self + " (rampart ").contains("gave up after 1 s");
            assertThat(Run.of("plan", "--netns", name, first).exitCode()).as("reading never waits").isZero();
            assertThat(new Iptables(netns, Family.IPV4).save()).isEqualTo(before);
        } finally {
            release.countDown();
            holder.join();
        }
        assertThat(Run.of("apply", "--netns", name, "--wait", "1", first).exitCode()).isZero();
    }
}
