package io.rampart.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code rampart fleet}: many hosts through etcd. These classes hold only the options; the work is
 * in {@link FleetRunner}, so the etcd client and its network stack load only when a fleet command runs.
 */
final class FleetCommands {

    private FleetCommands() {
    }

    /** Where the fleet's etcd is; every fleet command and the agent in fleet mode take it. */
    static final class EtcdOptions {
        @Option(names = "--etcd", paramLabel = "URLS", required = true,
                description = "The etcd endpoints, e.g. http://10.0.0.1:2379,http://10.0.0.2:2379.")
        String endpoints;

        @Option(names = "--prefix", paramLabel = "PREFIX", defaultValue = "/rampart/",
                description = "The key prefix the fleet lives under (default: ${DEFAULT-VALUE}).")
        String prefix;
    }

    /** {@code rampart agent}'s fleet mode: no FILE, the fleet assigns it. */
    static final class AgentOptions {
        @Option(names = "--etcd", paramLabel = "URLS",
                description = "Fleet mode: follow the revision etcd assigns to --host instead of a FILE.")
        String endpoints;

        @Option(names = "--host", paramLabel = "NAME", description = "Fleet mode: this host's name in the fleet.")
        String host;

        @Option(names = "--labels", paramLabel = "K=V,...", defaultValue = "",
                description = "Fleet mode: this host's labels, each a variable of the ruleset (usable in `if').")
        String labels;

        @Option(names = "--state-dir", paramLabel = "DIR",
                description = "Fleet mode: where revisions and the last good one are kept"
                        + " (default: /var/lib/rampart/fleet/NAME).")
        Path stateDir;

        @Option(names = "--prefix", paramLabel = "PREFIX", defaultValue = "/rampart/",
                description = "Fleet mode: the key prefix the fleet lives under (default: ${DEFAULT-VALUE}).")
        String prefix;

        boolean given() {
            return endpoints != null || host != null;
        }
    }

    @Command(name = "fleet", mixinStandardHelpOptions = true,
            description = "Many hosts on one desired ruleset through etcd.",
            subcommands = {Publish.class, RolloutCommands.Start.class, RolloutCommands.Resume.class,
                    RolloutCommands.Halt.class, RolloutCommands.Rollback.class, Status.class})
    static final class Fleet {
    }

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = {"Store FILE, with every file it includes, as an immutable revision in etcd, named by a"
                    + " hash of its content, with who published it, when and why. Prints the revision's id on the"
                    + " last line of stdout (--json: an object with `revision').",
                    "A FILE that does not check clean is refused with check's errors, and nothing is stored;"
                            + " the same content published again gives the same id and stores nothing."})
    static final class Publish implements Callable<Integer> {
        @Mixin
        EtcdOptions etcd;

        @Parameters(index = "0", paramLabel = "FILE", description = "A ruleset in the Rampart language.")
        Path file;

        @Option(names = "--message", paramLabel = "TEXT", defaultValue = "", description = "Why it is published.")
        String message;

        @Option(names = "--json", description = "The result as a JSON object on stdout.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return FleetRunner.publish(etcd.endpoints, etcd.prefix, file, message, json, spec.commandLine().getOut(),
                    spec.commandLine().getErr());
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"One line per host of the fleet: its state (converged, applying, failed, drifted, offline"
                    + " when its lease is gone), the revision it holds and the one assigned, its last error and when"
                    + " it last reported; then the count per state, and the rollout's wave and result.",
                    "Exit 0 when every (selected) host is converged, 3 otherwise."})
    static final class Status implements Callable<Integer> {
        @Mixin
        EtcdOptions etcd;

        @Option(names = "--json", description = "The hosts, counts and rollout as one JSON object on stdout.")
        boolean json;

        @Option(names = "--select", paramLabel = "LABEL=VALUE,...", defaultValue = "",
                description = "Only the registered hosts with these labels.")
        String select;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return FleetRunner.status(etcd.endpoints, etcd.prefix, select, json, spec.commandLine().getOut());
        }
    }
}
