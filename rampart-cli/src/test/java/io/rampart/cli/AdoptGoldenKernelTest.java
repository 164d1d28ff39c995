package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rampart adopt} on the examples after hand edits in a throwaway namespace. Each case in
 * {@code src/test/resources/adopt} names an example and the iptables commands run by hand; what
 * adopt shows must be {@code expected.out}, the file it writes {@code expected.rules} (unchanged when
 * nothing can be written), and when everything was adopted the file must then apply with no write.
 * {@code -Dgolden.update=true} rewrites the expected files, to be read before committing.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AdoptGoldenKernelTest {

    private static final Path CASES = Path.of("src/test/resources/adopt");
    private static final Path EXAMPLES = UnitFile.PACKAGING.resolveSibling("examples");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");
    /** The comment's time changes from run to run; the expected files have this in its place. */
    private static final String WHEN = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC";

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> cases() throws IOException {
        List<Path> cases;
        try (Stream<Path> listed = Files.list(CASES)) {
            cases = listed.filter(Files::isDirectory).sorted().toList();
        }
        assertThat(cases).hasSizeGreaterThanOrEqualTo(10);
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> run(c)));
    }

    private void run(Path golden) throws IOException {
        KernelTestSupport.requireKernel();
        Path work = Files.createDirectories(dir.resolve(golden.getFileName()));
        String example = Files.readString(golden.resolve("example")).strip();
        Files.copy(EXAMPLES.resolve(example), work.resolve(example));
        if (Files.isDirectory(EXAMPLES.resolve("host-firewall.d"))) {
            Path included = Files.createDirectories(work.resolve("host-firewall.d"));
            try (Stream<Path> files = Files.list(EXAMPLES.resolve("host-firewall.d"))) {
                for (Path file : files.toList()) {
                    Files.copy(file, included.resolve(file.getFileName()));
                }
            }
        }
        String file = work.resolve(example).toString();
        try (Netns netns = Netns.throwaway("adopt", ProcessRunner.system())) {
            String name = netns.name().orElseThrow();
            Run applied = Run.of("apply", "--netns", name, file);
            assertThat(applied.exitCode()).as(applied.err()).isZero();
            for (String command : Files.readAllLines(golden.resolve("commands"))) {
                ProcessResult edited = netns.run(List.of(command.split(" ")), "");
                assertThat(edited.ok()).as(command + ": " + edited.stderr()).isTrue();
            }
            Run shown = Run.of("adopt", "--netns", name, file);
            assertThat(shown.err()).isEmpty();
            Run written = Run.of("adopt", "-w", "--netns", name, file);
            check(golden.resolve("expected.out"), "exit " + shown.exitCode() + "\n" + shown.out()
                    .replace(work + "/", ""));
            check(golden.resolve("expected.rules"), Files.readString(work.resolve(example)));

            Run again = Run.of("adopt", "--netns", name, file);
            Run status = Run.of("status", "--netns", name, file);
            if (shown.out().contains("not adopted, to be edited by hand")) {
                assertThat(written.exitCode()).isEqualTo(ExitCode.DRIFT);
                assertThat(status.exitCode()).isEqualTo(ExitCode.DRIFT);
            } else {
                assertThat(written.exitCode()).as(written.out()).isZero();
                assertThat(again.out()).startsWith("nothing to adopt");
                assertThat(status.exitCode()).as(status.out()).isZero();
                Run reapplied = Run.of("apply", "--netns", name, file);
                assertThat(reapplied.exitCode()).isZero();
                assertThat(reapplied.out()).contains("nothing to change; ").doesNotContain("applied");
            }
        }
    }

    private static void check(Path expected, String actual) throws IOException {
        String normalized = actual.replaceAll(WHEN, "DATE");
        if (UPDATE) {
            Files.writeString(expected, normalized);
            return;
        }
        assertThat(normalized).as(expected.toString()).isEqualTo(Files.readString(expected));
    }
}
