package io.rampart.cli;

import io.rampart.fleet.Waves;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rampart fleet rollout|halt|resume|rollback}: the options only; the work is in
 * {@link RolloutRunner}, so the etcd client loads only when one runs.
 */
final class RolloutCommands {

    private RolloutCommands() {
    }

    /** What every rollout command prints and how. */
    static final class Output {
        @Mixin
        FleetCommands.EtcdOptions etcd;

        @Option(names = "--json", description = "Progress on stderr, and the rollout's state at the end as one JSON"
                + " object on stdout.")
        boolean json;

        @Spec(Spec.Target.MIXEE)
        CommandSpec spec;
    }

    /** A rollout command: where the fleet is, and how it prints. */
    abstract static class OutputCommand implements Callable<Integer> {
        @Mixin
        Output output;
    }

    @Command(name = "rollout", mixinStandardHelpOptions = true,
            description = {"Move the selected hosts to REVISION wave by wave by writing their assignments. A wave"
                    + " passes when each of its hosts reports REVISION applied and healthy within the deadline and"
                    + " stays so through the bake; more failures than --max-failures halt the rollout and return"
                    + " that wave's hosts to the revisions they held before.",
                    "The rollout's state is kept in etcd: a killed rollout is continued by `fleet resume', and one"
                            + " controller acts at a time. Exit 0 when it succeeded, 3 when it halted."})
    static final class Start extends OutputCommand {
        @Parameters(index = "0", paramLabel = "REVISION", description = "A published revision's id.")
        String revision;

        @Option(names = "--select", paramLabel = "LABEL=VALUE,...", defaultValue = "",
                description = "Only the registered hosts with these labels (default: every registered host).")
        String select;

        @Option(names = "--waves", paramLabel = "STEPS", defaultValue = Waves.DEFAULT,
                description = "How many hosts have REVISION after each wave, as counts or shares (rounded up);"
                        + " the last must reach every host (default: ${DEFAULT-VALUE}).")
        String waves;

        @Option(names = "--bake", paramLabel = "DURATION", defaultValue = "0s",
                description = "How long each wave's hosts must stay healthy before the next wave starts: 30s, 5m"
                        + " (default: ${DEFAULT-VALUE}).")
        String bake;

        @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "2m",
                description = "How long each host of a wave has to report REVISION applied and healthy; an offline"
                        + " host is waited for until then (default: ${DEFAULT-VALUE}).")
        String deadline;

        @Option(names = "--max-failures", paramLabel = "N", defaultValue = "0",
                description = "How many hosts of the whole rollout may fail before it halts (default: ${DEFAULT-VALUE}).")
        int maxFailures;

        @Option(names = "--expect", paramLabel = "EXPECT",
                description = "Start only when every expectation of EXPECT (docs/expectations.md) holds for REVISION"
                        + " as each selected host reads it, with its labels and variables; otherwise print the"
                        + " answers, write nothing and exit 3.")
        Path expect;

        @Override
        public Integer call() {
            return RolloutRunner.start(this);
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = {"Continue the current rollout from its wave: one that was halted, or whose controller is"
                    + " gone (its lock ends within seconds).", "Exit 0 when it succeeded, 3 when it halted."})
    static final class Resume extends OutputCommand {
        @Override
        public Integer call() {
            return RolloutRunner.resume(output);
        }
    }

    @Command(name = "halt", mixinStandardHelpOptions = true,
            description = "Halt the running rollout: its controller stops at its next look, and every host keeps the"
                    + " revision it was assigned. `fleet resume' continues it, `fleet rollback' undoes it.")
    static final class Halt extends OutputCommand {
        @Override
        public Integer call() {
            return RolloutRunner.halt(output);
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = {"Return every host the current rollout moved to the revision it held before (halting the"
                    + " rollout first if it runs), and wait for them to report it.",
                    "Exit 0 when every one did within the rollout's deadline, 3 otherwise."})
    static final class Rollback extends OutputCommand {
        @Override
        public Integer call() {
            return RolloutRunner.rollback(output);
        }
    }
}
