package io.rampart.cli;

import io.rampart.api.Confirmations;
import io.rampart.api.PendingConfirmation;
import io.rampart.api.PendingConfirmation.State;
import io.rampart.api.PendingConfirmation.Target;
import io.rampart.api.Reconciliation;
import io.rampart.model.Failure;
import io.rampart.system.ProcessRunner;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** confirm and rollback end what {@code apply --confirm} left pending; the hidden timer rolls back at the deadline. */
final class ConfirmCommands {

    private ConfirmCommands() {
    }

    /** What the three share: the target (namespace and family) and its pending confirmation. */
    abstract static class PendingCommand implements Callable<Integer> {
        @Mixin
        KernelOptions options;

        @Spec
        CommandSpec spec;

        Target target() {
            return new Target(options.netns, options.family());
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(name = "confirm", mixinStandardHelpOptions = true,
            description = "Keep the rules of a pending `apply --confirm': stop its rollback timer.")
    static final class ConfirmCommand extends PendingCommand {

        /** What --json prints. */
        record Confirmed(boolean confirmed, String netns, String family) {
        }

        @Override
        public Integer call() {
            Reconciliation.confirm(target(), ProcessRunner.system());
            out().println(options.json ? Json.document(new Confirmed(true, options.netns, options.family().name()))
                    : "confirmed: keeping the " + target().describe());
            return ExitCode.OK;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Roll a pending `apply --confirm' back now, without waiting for its deadline.")
    static final class RollbackCommand extends PendingCommand {

        /** What --json prints. */
        record RolledBack(boolean rolledBack, String source, String netns, String family) {
        }

        @Mixin
        WriterWait writerWait;

        @Override
        public Integer call() {
            State state = Reconciliation.rollback(target(), "rampart rollback", ProcessRunner.system(),
                    writerWait.waiting(spec.commandLine().getErr(), options.json));
            out().println(options.json
                    ? Json.document(new RolledBack(true, state.source(), options.netns, options.family().name()))
                    : "rolled back " + state.source() + ": the " + target().describe() + " are as before the apply");
            return ExitCode.OK;
        }
    }

    @Command(name = Confirmations.TIMER, hidden = true,
            description = "The rollback timer apply --confirm starts in a session of its own.")
    static final class RollbackTimerCommand extends PendingCommand {

        @Option(names = "--id", required = true, description = "The pending confirmation this timer is for.")
        String id;

        /**
         * The timer's output is its log, where a failure is stamped already as it is thrown: it
         * exits with the failure's code, mapped as every command's is, and prints nothing more.
         */
        @Override
        public Integer call() {
            try {
                new Confirmations(PendingConfirmation.of(target()), ProcessRunner.system(), Main.class.getName())
                        .runTimer(id);
                return ExitCode.OK;
            } catch (Failure logged) {
                return Failures.exitCode(logged);
            }
        }
    }
}
