package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

/**
 * Only the command that runs is built, so the table of commands in Main is what dispatch and the
 * top-level help go by: it must agree with the commands' own annotations.
 */
class CommandTableTest {

    @Test
    void eachCommandIsListedUnderItsOwnName() {
        for (Map.Entry<String, Class<?>> command : Main.COMMANDS.entrySet()) {
            assertThat(command.getValue().getAnnotation(Command.class).name()).as(command.getValue().getName())
                    .isEqualTo(command.getKey());
        }
    }

    @Test
    void theTopLevelHelpListsEveryVisibleCommandInTableOrderThenHelp() {
        Run run = Run.of("--help");
        assertThat(run.exitCode()).isZero();
        List<String> listed = new ArrayList<>();
        boolean inCommands = false;
        for (String line : run.out().split("\n")) {
            if (line.equals("Commands:")) {
                inCommands = true;
            } else if (inCommands && line.matches("  \\S.*")) {
                listed.add(line.strip().split(" +")[0]);
            }
        }
        List<String> expected = new ArrayList<>();
        Main.COMMANDS.forEach((name, type) -> {
            if (!type.getAnnotation(Command.class).hidden()) {
                expected.add(name);
            }
        });
        expected.add("help");
        assertThat(listed).isEqualTo(expected);
        assertThat(run.out()).contains("  apply        Bring the kernel to FILE: chains the file declares get exactly");
    }

    @Test
    void helpOfACommandIsItsOwnUsage() {
        Run help = Run.of("help", "apply");
        Run own = Run.of("apply", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).startsWith("Usage: rampart apply ").contains("--confirm").isEqualTo(own.out());
        assertThat(Run.of("lb", "status", "--help").out()).startsWith("Usage: rampart lb status ");
    }

    @Test
    void anUnknownCommandGetsSuggestionsFromEveryName() {
        Run run = Run.of("aply");
        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).isEqualTo("rampart: Unmatched argument at index 0: 'aply'\n"
                + "Did you mean: rampart apply or rampart plan or rampart explain-log?\n"
                + "Try `rampart --help'.\n");
        assertThat(Run.of("help", "bogus").err()).contains("Unknown subcommand 'bogus'");
    }

    @Test
    void noCommandIsAUsageError() {
        Run run = Run.of();
        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).startsWith("rampart: Missing required subcommand\n");
    }

    @Test
    void theVersionIsTheSameWhicheverWayItIsAskedFor() {
        String version = new Version().getVersion()[0];
        assertThat(version).matches("rampart \\S+");
        assertThat(Run.of("--version").out()).isEqualTo(version + "\n");
        assertThat(Run.of("-V").out()).isEqualTo(version + "\n");
        // Through picocli: the top level's option with a command after it.
        assertThat(Run.of("--version", "check").out()).isEqualTo(version + "\n");
    }
}
