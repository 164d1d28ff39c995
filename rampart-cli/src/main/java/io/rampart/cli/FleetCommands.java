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

        @Mixin
        TlsOptions tls = new TlsOptions();
    }

    /** TLS with a client certificate to etcd; all three files or none. */
    static final class TlsOptions {
        @Option(names = "--etcd-cacert", paramLabel = "FILE",
                description = "TLS to etcd (https:// endpoints): the CA certificate that signed etcd's (PEM).")
        Path caCert;

        @Option(names = "--etcd-cert", paramLabel = "FILE",
                description = "TLS to etcd: this client's certificate (PEM); its common name is the etcd user.")
        Path cert;

        @Option(names = "--etcd-key", paramLabel = "FILE",
                description = "TLS to etcd: this client's private key (PKCS#8 PEM).")
        Path key;
    }

    /** {@code rampart serve}'s fleet view: the page shows the fleet of this etcd. */
    static final class ServeOptions {
        @Option(names = "--etcd", paramLabel = "URLS",
                description = "Show the fleet of these etcd endpoints on the page (and at /api/fleet).")
        String endpoints;

        @Option(names = "--prefix", paramLabel = "PREFIX", defaultValue = "/rampart/",
                description = "With --etcd: the key prefix the fleet lives under (default: ${DEFAULT-VALUE}).")
        String prefix;

        @Mixin
        TlsOptions tls = new TlsOptions();
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

        @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "30s",
                description = "Fleet mode: how long etcd may take to answer after a revision is applied before the"
                        + " agent rolls it back: 30s, 2m or plain seconds (default: ${DEFAULT-VALUE}).")
        String grace;

        @Mixin
        TlsOptions tls = new TlsOptions();

        boolean given() {
            return endpoints != null || host != null;
        }
    }

    @Command(name = "fleet", mixinStandardHelpOptions = true,
            description = "Many hosts on one desired ruleset through etcd.",
            subcommands = {Publish.class, RolloutCommands.Start.class, RolloutCommands.Resume.class,
                    RolloutCommands.Halt.class, RolloutCommands.Rollback.class, Status.class, PlanRevision.class})
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
            return FleetRunner.publish(etcd, file, message, json, spec.commandLine().getOut(),
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
            return FleetRunner.status(etcd.endpoints, etcd.prefix, etcd.tls, select, json, spec.commandLine().getOut());
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = {"A fleet-wide dry run: every selected online host plans REVISION against its own kernel"
                    + " with its own values, and reports what applying it would change, without applying anything.",
                    "Prints each host's changes, the hosts whose values make the revision fail (with check's errors)"
                            + " and the hosts that did not answer within --wait. Exit 0 when every host answered and"
                            + " none failed, 1 when a host failed, 4 when a host did not answer."})
    static final class PlanRevision implements Callable<Integer> {
        @Mixin
        EtcdOptions etcd;

        @Parameters(index = "0", paramLabel = "REVISION", description = "A published revision's id.")
        String revision;

        @Option(names = "--select", paramLabel = "LABEL=VALUE,...", defaultValue = "",
                description = "Only the hosts with these labels (default: every online host).")
        String select;

        @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "30s",
                description = "How long to wait for the hosts' answers: 30s, 2m or plain seconds"
                        + " (default: ${DEFAULT-VALUE}).")
        String wait;

        @Option(names = "--json", description = "The answers as one JSON object on stdout.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return FleetRunner.plan(etcd, revision, select, wait, json, spec.commandLine().getOut());
        }
    }
}
