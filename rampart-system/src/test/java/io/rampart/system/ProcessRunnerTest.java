package io.rampart.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The real process runner: what a program is given and what it said, from small to large outputs. */
class ProcessRunnerTest {

    private final ProcessRunner runner = ProcessRunner.system();

    @Test
    void feedsStdinAndKeepsStdoutStderrAndTheExitCodeApart() {
        ProcessResult result = runner.run(List.of("sh", "-c", "tr a-z A-Z; echo oops >&2; exit 3"), "rules\n");
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stdout()).isEqualTo("RULES\n");
        assertThat(result.stderr()).isEqualTo("oops\n");
    }

    @Test
    void readsAnOutputFarLargerThanAPipeHolds() {
        // 200,000 numbered lines, about 1.3 MB: twenty times a pipe's buffer.
        ProcessResult result = runner.run(List.of("seq", "1", "200000"), "");
        assertThat(result.ok()).isTrue();
        List<String> lines = result.stdout().lines().toList();
        assertThat(lines).hasSize(200_000);
        assertThat(lines.get(0)).isEqualTo("1");
        assertThat(lines.get(199_999)).isEqualTo("200000");
    }

    @Test
    void theOutputFileHasNoNameLeftWhileTheProgramRuns() {
        // The program looks once its input has ended, which is after the runner removed the name.
        ProcessResult result = runner.run(List.of("sh", "-c", "cat >/dev/null; readlink /proc/$$/fd/1"), "x\n");
        assertThat(result.stdout().strip()).endsWith("(deleted)");
    }

    @Test
    void bytesThatAreNotUtf8AreReplacedNotRefused() {
        ProcessResult result = runner.run(List.of("printf", "a\\377b"), "");
        assertThat(result.stdout()).isEqualTo("a\uFFFDb");
    }

    @Test
    void aProgramThatDiesSilentlySaysHowItEnded() {
        // As iptables-save does when the kernel's out-of-memory killer takes it at a million rules.
        assertThat(runner.run(List.of("sh", "-c", "kill -KILL $$"), "").failure())
                .isEqualTo("ended by signal 9 (SIGKILL: the kernel's out-of-memory killer ends processes so), printing nothing");
        assertThat(runner.run(List.of("sh", "-c", "kill -SEGV $$"), "").failure())
                .isEqualTo("ended by signal 11 (SIGSEGV), printing nothing");
        assertThat(runner.run(List.of("sh", "-c", "exit 2"), "").failure()).isEqualTo("exit status 2, printing nothing");
        assertThat(runner.run(List.of("sh", "-c", "echo 'no chain' >&2; exit 1"), "").failure()).isEqualTo("no chain");
    }

    @Test
    void aProgramThatIsNotThereIsASystemError() {
        assertThatThrownBy(() -> runner.run(List.of("rampart-no-such-program"), ""))
                .isInstanceOf(SystemException.class).hasMessageContaining("cannot run rampart-no-such-program");
    }
}
