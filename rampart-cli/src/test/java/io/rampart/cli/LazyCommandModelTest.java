package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Main builds only the command that runs; the man page, the completions and these tests build every
 * command at once ({@link Main#everyCommand()}). Whatever a user can reach must be the same either
 * way: each command and subcommand with its options, parameters and help text, and the top level's
 * help.
 */
class LazyCommandModelTest {

    private static final CommandLine EVERY = Main.everyCommand();

    @Test
    void everyCommandAndSubcommandIsReachableWithTheHelpOfTheWholeModel() {
        List<List<String>> paths = new ArrayList<>();
        EVERY.getSubcommands().forEach((name, command) -> collect(List.of(name), command, paths));
        assertThat(paths).hasSizeGreaterThan(Main.COMMANDS.size());
        for (List<String> path : paths) {
            CommandLine eager = at(EVERY, path);
            if (!eager.getCommandSpec().optionsMap().containsKey("--help")) {
                continue; // an internal command (the rollback timer): its options are compared below
            }
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            Run lazy = Run.of(args.toArray(String[]::new));
            assertThat(lazy.exitCode()).as(String.join(" ", args)).isZero();
            assertThat(lazy.out()).as(String.join(" ", args)).isEqualTo(usage(eager));
        }
    }

    @Test
    void eachCommandBuiltAloneHasTheOptionsAndParametersOfTheWholeModel() {
        for (Map.Entry<String, Class<?>> command : Main.COMMANDS.entrySet()) {
            CommandLine alone = new CommandLine(new Main()).addSubcommand(command.getKey(), command.getValue());
            List<List<String>> paths = new ArrayList<>();
            collect(List.of(command.getKey()), alone.getSubcommands().get(command.getKey()), paths);
            for (List<String> path : paths) {
                assertThat(signature(at(alone, path).getCommandSpec())).as(String.join(" ", path))
                        .isEqualTo(signature(at(EVERY, path).getCommandSpec()));
            }
        }
    }

    @Test
    void theTopLevelHelpIsTheWholeModelsHelp() {
        String whole = usage(EVERY);
        assertThat(Run.of("--help").out()).isEqualTo(whole);
        assertThat(Run.of("help").out()).isEqualTo(whole);
        assertThat(Run.of("-h").out()).isEqualTo(whole);
    }

    @Test
    void theHelpCommandShowsEachCommandsOwnUsage() {
        for (String name : Main.COMMANDS.keySet()) {
            assertThat(Run.of("help", name).out()).as(name).isEqualTo(usage(EVERY.getSubcommands().get(name)));
        }
    }

    private static void collect(List<String> path, CommandLine command, List<List<String>> paths) {
        paths.add(path);
        command.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                List<String> deeper = new ArrayList<>(path);
                deeper.add(name);
                collect(deeper, sub, paths);
            }
        });
    }

    private static CommandLine at(CommandLine root, List<String> path) {
        CommandLine command = root;
        for (String name : path) {
            command = command.getSubcommands().get(name);
        }
        return command;
    }

    /** The usage message as {@code --help} prints it, in the width and colours Main's runs use. */
    private static String usage(CommandLine command) {
        StringWriter text = new StringWriter();
        command.usage(new PrintWriter(text), CommandLine.Help.Ansi.OFF);
        return text.toString();
    }

    /** Every option (names, arity, hidden, whether required) and parameter (index, label, arity), in order. */
    private static List<String> signature(CommandSpec spec) {
        List<String> signature = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            signature.add(String.join("|", option.names()) + " " + describe(option) + (option.required() ? " required" : ""));
        }
        spec.positionalParameters().forEach(parameter -> signature.add(parameter.index() + " " + describe(parameter)));
        signature.add("subcommands " + spec.subcommands().keySet());
        return signature;
    }

    private static String describe(ArgSpec arg) {
        return arg.paramLabel() + " " + arg.arity() + " " + arg.type().getName() + (arg.hidden() ? " hidden" : "");
    }
}
