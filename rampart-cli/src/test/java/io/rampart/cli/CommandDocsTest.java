package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.system.KernelTestSupport;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.CommandSpec;

/** The man page and the completions name every command the command line has, and bash can read its script. */
class CommandDocsTest {

    private final CommandDocs docs = new CommandDocs();
    private final List<CommandSpec> commands = all(new CommandDocs().rootSpec());

    @TempDir
    Path dir;

    private static List<CommandSpec> all(CommandSpec spec) {
        List<CommandSpec> found = new ArrayList<>();
        for (CommandSpec sub : CommandDocs.visible(spec)) {
            found.add(sub);
            found.addAll(all(sub));
        }
        return found;
    }

    @Test
    void theManPageHasASectionForEveryCommand() {
        String page = docs.manPage();
        assertThat(commands).hasSizeGreaterThan(20);
        for (CommandSpec command : commands) {
            assertThat(page).as(command.qualifiedName())
                    .contains(".SS \"" + CommandDocs.roff(command.qualifiedName()));
        }
        assertThat(page).startsWith(".TH RAMPART 1").contains(".SH EXIT STATUS").doesNotContain("${");
        assertThat(page).as("hidden commands stay out").doesNotContain("rollback\\-timer");
    }

    @Test
    void theZshCompletionHasAFunctionForEveryCommand() {
        String zsh = docs.zsh();
        assertThat(zsh).startsWith("#compdef rampart\n");
        for (CommandSpec command : commands) {
            String function = "_" + command.qualifiedName("_").replace('-', '_');
            assertThat(zsh).as(command.qualifiedName()).contains(function + "() {")
                    .contains("'" + command.name() + ":");
        }
    }

    @Test
    void zshReadsItsCompletion() throws IOException {
        KernelTestSupport.requireTool("zsh");
        Path script = dir.resolve(CommandDocs.ZSH);
        Files.writeString(script, docs.zsh());
        ProcessResult parsed = ProcessRunner.system().run(List.of("zsh", "-n", script.toString()), "");
        assertThat(parsed.ok()).as(parsed.stderr()).isTrue();
    }

    @Test
    void theBashCompletionOffersEveryCommandAndParses() throws IOException {
        String bash = docs.bash();
        for (CommandSpec command : commands) {
            assertThat(bash).as(command.qualifiedName()).containsPattern("\\b" + command.name() + "\\b");
        }
        Path script = dir.resolve(CommandDocs.BASH);
        Files.writeString(script, bash);
        ProcessResult parsed = ProcessRunner.system().run(List.of("bash", "-n", script.toString()), "");
        assertThat(parsed.ok()).as(parsed.stderr()).isTrue();
    }

    @Test
    void mainWritesTheThreeFiles() throws IOException {
        CommandDocs.main(new String[] {dir.toString()});
        assertThat(Files.readString(dir.resolve(CommandDocs.MAN_PAGE))).isEqualTo(docs.manPage());
        assertThat(Files.readString(dir.resolve(CommandDocs.BASH))).isEqualTo(docs.bash());
        assertThat(Files.readString(dir.resolve(CommandDocs.ZSH))).isEqualTo(docs.zsh());
    }
}
