package io.rampart.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code rampart} command line. */
@Command(name = "rampart", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Manage iptables/ip6tables rulesets as desired state.",
        subcommands = {CanonCommand.class, CheckCommand.class, FmtCommand.class, DescribeCommand.class, ReconcileCommands.PlanCommand.class,
                ReconcileCommands.ApplyCommand.class, ReconcileCommands.StatusCommand.class, SaveCommand.class,
                AgentCommand.class, StageCommands.Stage.class, StageCommands.Switch.class,
                StageCommands.Unstage.class, StageCommands.ListStages.class, TraceCommand.class, ExplainLogCommand.class, DiffCommand.class,
                LbCommand.class,
                ConfirmCommands.ConfirmCommand.class, ConfirmCommands.RollbackCommand.class,
                ConfirmCommands.RollbackTimerCommand.class,
                DemoCommand.class, ServeCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args, System.in, new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8)));
    }

    /** Runs the command line with the given streams and returns the exit code; used by tests. */
    public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err) {
        return run(args, in, out, err, System.getenv());
    }

    /** Runs the command line with the given streams and environment variables. */
    public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err,
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
                return made;
            }
        };
        CommandLine commandLine = new CommandLine(new Main(), factory);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler(Main::usageError);
        commandLine.setExecutionExceptionHandler(new Failures());
        return commandLine.execute(args);
    }

    private static int usageError(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("rampart: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try `" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
        return ExitCode.USAGE;
    }
}
