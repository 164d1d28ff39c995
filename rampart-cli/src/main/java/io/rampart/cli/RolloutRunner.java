package io.rampart.cli;

import io.rampart.api.SafeApply;
import io.rampart.fleet.EtcdStore;
import io.rampart.fleet.HostValues;
import io.rampart.fleet.Rollout;
import io.rampart.fleet.RolloutState;
import io.rampart.fleet.StoreLayout;
import io.rampart.fleet.Waves;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Function;

/** What the rollout commands do: progress as it goes, the state at the end, the exit code from the result. */
final class RolloutRunner {

    private RolloutRunner() {
    }

    static int start(RolloutCommands.Start command) {
        if (command.maxFailures < 0) {
            throw new InputException("--max-failures: `" + command.maxFailures + "' is not a number of hosts (0 or more)");
        }
        Rollout.Request request = new Rollout.Request(command.revision.strip(),
                HostValues.parseLabels("--select", command.select), Waves.parse(command.waves),
                duration("--bake", command.bake), SafeApply.window("--deadline", command.deadline),
                command.maxFailures);
        return run(command.output, rollout -> rollout.start(request));
    }

    static int resume(RolloutCommands.Output output) {
        return run(output, Rollout::resume);
    }

    static int rollback(RolloutCommands.Output output) {
        return run(output, Rollout::rollback);
    }

    static int halt(RolloutCommands.Output output) {
        return run(output, rollout -> new Rollout.Ended(rollout.halt(), true));
    }

    private static int run(RolloutCommands.Output output, Function<Rollout, Rollout.Ended> action) {
        PrintWriter out = output.spec.commandLine().getOut();
        PrintWriter progress = output.json ? output.spec.commandLine().getErr() : out;
        Rollout.Ended ended;
        try (EtcdStore store = EtcdStore.connect(output.etcd.endpoints, new StoreLayout(output.etcd.prefix))) {
            ended = action.apply(new Rollout(store, FleetRunner.publisher(), line -> {
                progress.println(line);
                progress.flush();
            }));
        }
        if (output.json) {
            out.println(Json.document(ended.state()));
        }
        out.flush();
        return ended.complete() || ended.state().result() == RolloutState.Result.SUCCEEDED ? ExitCode.OK
                : ExitCode.DRIFT;
    }

    /** A duration of {@code option}, zero allowed. */
    private static Duration duration(String option, String text) {
        return text.strip().matches("0+s?") ? Duration.ZERO : SafeApply.window(option, text);
    }
}
