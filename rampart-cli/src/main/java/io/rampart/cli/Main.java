package io.rampart.cli;

import io.rampart.api.Confirmations;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code rampart} command line. Only the command that runs is built: picocli's model of a
 * command comes from reflection over its class, which for every command at once would cost each
 * start-up far more than most commands' own work. The plain forms of {@code check}, {@code plan},
 * {@code apply} and {@code status} are read without picocli at all ({@link CheckArguments},
 * {@link FileArguments}), and {@code --version} is printed without it.
 */
@Command(name = "rampart", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Manage iptables/ip6tables rulesets as desired state.")
public final class Main {

    /** Every command by the name it is run with, in the order {@code rampart --help} lists them. */
    static final Map<String, Class<?>> COMMANDS = commands(
            "canon", CanonCommand.class,
            "check", CheckCommand.class,
            "fmt", FmtCommand.class,
            "describe", DescribeCommand.class,
            "plan", ReconcileCommands.PlanCommand.class,
            "apply", ReconcileCommands.ApplyCommand.class,
            "status", ReconcileCommands.StatusCommand.class,
            "save", SaveCommand.class,
            "agent", AgentCommand.class,
            "stage", StageCommands.Stage.class,
            "switch", StageCommands.Switch.class,
            "unstage", StageCommands.Unstage.class,
            "stages", StageCommands.ListStages.class,
            "trace", TraceCommand.class,
            "explain-log", ExplainLogCommand.class,
            "lb", LbCommand.class,
            "confirm", ConfirmCommands.ConfirmCommand.class,
            "rollback", ConfirmCommands.RollbackCommand.class,
            Confirmations.TIMER, ConfirmCommands.RollbackTimerCommand.class,
            "demo", DemoCommand.class,
            "serve", ServeCommand.class,
            "adopt", AdoptCommand.class,
            "import", ImportCommand.class,
            "fleet", FleetCommands.Fleet.class,
            "diff", DiffCommand.class,
            "test", TestCommand.class,
            "coverage", CoverageCommand.class);

    private static final String HELP = "help";

    public static void main(String[] args) {
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        try {
            System.exit(run(args, System.in, new PrintWriter(System.out, true, StandardCharsets.UTF_8), err));
        } catch (OutOfMemoryError e) {
            // The launchers bound the heap by the size of the files given; a kernel or an include can be larger.
            err.println("rampart: out of memory with a heap of " + Runtime.getRuntime().maxMemory() / (1024 * 1024)
                    + " MB; run it again with a larger one, e.g. RAMPART_HEAP=2g");
            System.exit(ExitCode.SYSTEM);
        }
    }

    /** Runs the command line with the given streams and returns the exit code; used by tests. */
    public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err) {
        return run(args, in, out, err, System.getenv());
    }

    /** Runs the command line with the given streams and environment variables. */
    public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err,
                          Map<String, String> environment) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // What picocli prints for it, without loading picocli.
            out.println(Version.line());
            out.flush();
            return ExitCode.OK;
        }
        // The command run most often, in the forms editors and commit hooks use: without picocli.
        Optional<CheckCommand> check = CheckArguments.read(args);
        if (check.isPresent()) {
            check.get().setOutput(out, err);
            return Failures.run(check.get(), err);
        }
        // What the boot unit, scripts and hands run to apply a file, in the forms they use: without picocli too.
        Optional<ReconcileCommands.FileCommand> file = FileArguments.read(args, in, environment);
        if (file.isPresent()) {
            file.get().setOutput(out, err);
            return Failures.run(file.get(), err, file.get().options.debug);
        }
        return withPicocli(args, in, out, err, environment);
    }

    /** Runs the command line as picocli reads it, building the command that runs. */
    static int withPicocli(String[] args, InputStream in, PrintWriter out, PrintWriter err,
                           Map<String, String> environment) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K made = defaults.create(type);
                if (made instanceof ReadsStdin reader) {
                    reader.setStdin(in);
                }
                if (made instanceof ReadsEnvironment reader) {
                    reader.setEnvironment(environment);
                }
                if (made instanceof WritesOutput writer) {
                    writer.setOutput(out, err);
                }
                return made;
            }
        };
        CommandLine commandLine = new CommandLine(new Main(), factory);
        String first = args.length > 0 ? args[0] : "";
        if (COMMANDS.containsKey(first)) {
            commandLine.addSubcommand(first, COMMANDS.get(first));
        } else {
            // The top level's own options, help, or a word that is no command: every command is listed
            // by the name and description on its annotation, and built only when `help' shows it.
            String shown = first.equals(HELP) && args.length > 1 ? args[1] : null;
            COMMANDS.forEach((name, type) -> commandLine.addSubcommand(name,
                    name.equals(shown) ? type : new CommandLine(listed(name, type.getAnnotation(Command.class)))));
            commandLine.addSubcommand(HELP, CommandLine.HelpCommand.class);
        }
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler(Main::usageError);
        commandLine.setExecutionExceptionHandler((e, command, parsed) -> Failures.handle(e, command.getErr(),
                parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--debug"))
                        || parsed.hasMatchedOption("--debug")));
        return commandLine.execute(args);
    }

    /** The whole command line with every command built, for what is generated from all of them (CommandDocs). */
    static CommandLine everyCommand() {
        CommandLine all = new CommandLine(new Main());
        COMMANDS.forEach((name, type) -> all.addSubcommand(name, type));
        all.addSubcommand(HELP, CommandLine.HelpCommand.class);
        return all;
    }

    /** A command as the top level's help lists it: its name, description and whether it is hidden. */
    private static CommandLine.Model.CommandSpec listed(String name, Command command) {
        CommandLine.Model.CommandSpec spec = CommandLine.Model.CommandSpec.create().name(name);
        spec.usageMessage().description(command.description()).hidden(command.hidden());
        return spec;
    }

    private static Map<String, Class<?>> commands(Object... namesAndTypes) {
        Map<String, Class<?>> commands = new LinkedHashMap<>();
        for (int i = 0; i < namesAndTypes.length; i += 2) {
            commands.put((String) namesAndTypes[i], (Class<?>) namesAndTypes[i + 1]);
        }
        return Collections.unmodifiableMap(commands);
    }

    private static int usageError(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("rampart: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try `" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
        return ExitCode.USAGE;
    }
}
