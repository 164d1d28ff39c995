package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IPTLB's flag spellings, without -run: only the state file is written, so no kernel is needed. */
class LbCliTest {

    @TempDir
    Path dir;

    private static Run run(List<String> args) {
        return Run.of(args.toArray(String[]::new));
    }

    private String stateAfter(String name, String... flags) throws Exception {
        Path state = dir.resolve(name + "/state.db");
        List<String> args = new ArrayList<>(List.of("lb"));
        args.addAll(List.of(flags));
        args.add("-state-file=" + state);
        Run run = run(args);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("the kernel is unchanged (add -run to apply)");
        return Files.readString(state);
    }

    @Test
    void everySpellingOfTheFlagsWritesTheSameState() throws Exception {
        String single = stateAfter("a", "-profile=web", "-protocol=udp", "-rules-backend=proxy",
                "-src-addr=10.0.0.1:53", "-dest-addr=10.0.1.1:53,10.0.1.2:53", "-log-custom-chain", "-log-level=6");
        assertThat(single).isEqualTo("""
                web:
                  destination:
                  - 10.0.1.1:53
                  - 10.0.1.2:53
                  logEnabled: true
                  logLevel: "6"
                  protocol: udp
                  rulesBackend: proxy
                  source: 10.0.0.1:53
                """);
        assertThat(stateAfter("b", "-profile", "web", "-protocol", "udp", "-rules-backend", "proxy", "-src-addr",
                "10.0.0.1:53", "-dest-addr", "10.0.1.1:53,10.0.1.2:53", "-log-custom-chain", "-log-level", "6"))
                .isEqualTo(single);
        assertThat(stateAfter("c", "--profile", "web", "--protocol=udp", "--rules-backend", "proxy", "--src-addr",
                "10.0.0.1:53", "--dest-addr=10.0.1.1:53,10.0.1.2:53", "--log-custom-chain", "--log-level=info",
                "-run=false")).isEqualTo(single);
    }

    @Test
    void wrongCombinationsAndUnknownFlags() throws Exception {
        Path state = dir.resolve("state.db");
        Run both = run(List.of("lb", "-use-state", "-src-addr=10.0.0.1:80", "-state-file=" + state));
        assertThat(both.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(both.err()).isEqualTo("rampart: -use-state applies the state file's profiles; it takes no"
                + " -src-addr or -dest-addr\n");
        Run typo = run(List.of("lb", "-srcaddr=10.0.0.1:80", "-state-file=" + state));
        assertThat(typo.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(typo.err()).contains("-srcaddr");
        assertThat(state).doesNotExist();
        assertThat(dir).isEmptyDirectory();
    }
}
