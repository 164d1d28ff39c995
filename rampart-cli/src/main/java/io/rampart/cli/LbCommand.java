package io.rampart.cli;

import io.rampart.lb.LbException;
import io.rampart.lb.LbResult;
import io.rampart.lb.LoadBalancer;
import io.rampart.lb.ProfileStatus;
import io.rampart.lb.Request;
import io.rampart.lb.StateFile;
import io.rampart.model.Failure;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.ApplyException;
import io.rampart.reconcile.Plan;
import io.rampart.reconcile.PlanException;
import io.rampart.reconcile.Reconciler;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import io.rampart.system.SystemException;
import io.rampart.system.WriterLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code rampart lb}: IPTLB's load balancer with IPTLB's flags ({@code -run}, {@code -profile=NAME},
 * ...), each also spelled {@code --flag}. Picocli takes a value after {@code =} or as the next word.
 */
@Command(name = "lb", mixinStandardHelpOptions = true, subcommands = LbCommand.StatusCommand.class,
        description = {"Balance traffic to SRC (IP:PORT) among destinations with random DNAT splits, as IPTLB did,"
                + " applied atomically through the reconciler. Profiles are kept in a YAML state file.",
                "Without -run only the state file is written. client captures the host's own traffic (nat OUTPUT);"
                        + " proxy captures arriving traffic (nat PREROUTING), masquerades what it forwards and turns"
                        + " on forwarding; server captures traffic arriving at this host in nat PREROUTING (IPTLB's"
                        + " nat INPUT cannot DNAT) and balances it among this host's own addresses or ports."},
        footer = {"", "Examples:",
                "  rampart lb -run -profile=web -src-addr=10.100.0.10:80 -dest-addr=10.0.1.4:8080,10.0.1.5:8080",
                "  rampart lb -run -profile=dns -protocol=udp -rules-backend=proxy -src-addr=192.0.2.1:53 "
                        + "-dest-addr=10.0.0.1:53*3,10.0.0.2:53",
                "  rampart lb -run -use-state -state-file=/var/lib/iptlb/state.db",
                "  rampart lb status --json"})
final class LbCommand implements Callable<Integer> {

    /** What both the main command and status take. */
    static final class Common {
        @Option(names = "--netns", paramLabel = "NAME", description = "Work inside this network namespace.")
        String netns;

        @Option(names = {"-state-file", "--state-file"}, paramLabel = "PATH",
                description = "The state file (default: ${DEFAULT-VALUE}).", defaultValue = StateFile.DEFAULT_PATH)
        Path stateFile;

        @Option(names = "--debug", description = "Show stack traces of internal errors.")
        boolean debug;

        Netns namespace() {
            return netns == null ? Netns.host(ProcessRunner.system()) : Netns.existing(netns, ProcessRunner.system());
        }

        /** The load balancer of the state file on {@code netns}, waiting for other writers as {@code waiting} says. */
        LoadBalancer loadBalancer(Netns netns, WriterLock.Waiting waiting) {
            return new LoadBalancer(new LbKernel(netns, waiting), StandardExtensions.registry(), stateFile);
        }
    }

    @Mixin
    Common common;

    @Option(names = {"-run", "--run"}, arity = "0..1", paramLabel = "true|false",
            description = "Apply to the kernel, not only to the state file.")
    boolean run;

    @Option(names = {"-profile", "--profile"}, paramLabel = "NAME", defaultValue = "default",
            description = "The profile to add, replace, delete or apply (default: ${DEFAULT-VALUE}).")
    String profile;

    @Option(names = {"-src-addr", "--src-addr"}, paramLabel = "IP:PORT",
            description = "The address to capture: 10.0.0.1:80 or [2001:db8::1]:80. One profile per address,"
                    + " port and protocol.")
    String source;

    @Option(names = {"-dest-addr", "--dest-addr"}, paramLabel = "IP:PORT[*W],...",
            description = "The destinations, comma-separated; *W gives one a weight (default 1).")
    String destinations;

    @Option(names = {"-rules-backend", "--rules-backend"}, paramLabel = "client|proxy|server",
            defaultValue = "client", description = "Where the rules run (default: ${DEFAULT-VALUE}).")
    String rulesBackend;

    @Option(names = {"-protocol", "--protocol"}, paramLabel = "tcp|udp|sctp|dccp", defaultValue = "tcp",
            description = "The protocol to capture and balance (default: ${DEFAULT-VALUE}).")
    String protocol;

    @Option(names = {"-reset", "--reset"}, arity = "0..1", paramLabel = "true|false",
            description = "Replace an existing profile.")
    boolean reset;

    @Option(names = {"-delete", "--delete"}, arity = "0..1", paramLabel = "true|false",
            description = "Remove the profile: its rules (with -run) and its state.")
    boolean delete;

    @Option(names = {"-use-state", "--use-state"}, arity = "0..1", paramLabel = "true|false",
            description = "With -run, apply every profile in the state file.")
    boolean useState;

    @Option(names = {"-log-custom-chain", "--log-custom-chain"}, arity = "0..1", paramLabel = "true|false",
            description = "Log each new connection of the profile (LOG, prefix IPTLB:NAME:).")
    boolean logEnabled;

    @Option(names = {"-log-level", "--log-level"}, paramLabel = "N", defaultValue = "4",
            description = "Syslog level of the LOG rule, 0-7 or a name (default: ${DEFAULT-VALUE}).")
    String logLevel;

    @Option(names = {"-no-masquerade", "--no-masquerade"}, arity = "0..1", paramLabel = "true|false",
            description = "proxy: do not masquerade forwarded traffic (the backends route replies back themselves).")
    boolean noMasquerade;

    @Option(names = {"-no-forwarding", "--no-forwarding"}, arity = "0..1", paramLabel = "true|false",
            description = "proxy: leave the forwarding sysctl alone.")
    boolean noForwarding;

    @Option(names = "--json", description = "Machine-readable output on stdout.")
    boolean json;

    @Mixin
    WriterWait writerWait;

    @Spec
    CommandSpec spec;

    /** What --json prints: the messages, and per address family whether the kernel was written and the plan. */
    record Summary(List<String> messages, boolean stateWritten, List<FamilyApplied> applied) {
    }

    record FamilyApplied(String command, boolean written, Plan plan, long milliseconds) {
    }

    @Override
    public Integer call() {
        Request request = new Request(profile, source, destinations, rulesBackend, protocol, reset, delete, run,
                useState, logEnabled, logLevel, !noMasquerade, !noForwarding);
        PrintWriter out = spec.commandLine().getOut();
        LbResult outcome;
        try (Netns netns = common.namespace()) {
            outcome = common.loadBalancer(netns, writerWait.waiting(spec.commandLine().getErr(), json))
                    .execute(request);
        } catch (LbException e) {
            throw new InputException(e.getMessage());
        } catch (PlanException | ApplyException e) {
            throw new Failure(e.category(), e.getMessage() + "; the state file was not changed");
        } catch (IOException e) {
            throw new SystemException("cannot write " + common.stateFile + ": " + e.getMessage()
                    + " (the kernel was changed; run again to record it)");
        }
        if (json) {
            out.println(Json.document(new Summary(outcome.messages(), outcome.stateWritten(), outcome.applied()
                    .stream().map(a -> new FamilyApplied(a.plan().family().command(), a.written(), a.plan(),
                            a.took().toMillis())).toList())));
            return ExitCode.OK;
        }
        outcome.messages().forEach(out::println);
        for (Reconciler.Applied applied : outcome.applied()) {
            if (applied.written()) {
                PlanText.print(applied.plan(), out);
                out.println("applied (" + applied.plan().family().command() + "): "
                        + PlanText.summary(applied.plan()));
            } else {
                out.println("nothing to change in " + applied.plan().family().command());
            }
        }
        return ExitCode.OK;
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Each profile of the state file, whether the kernel holds it, and its destinations with"
                    + " their weights, split and counters (a nat rule counts each connection's first packet).")
    static final class StatusCommand implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--json", description = "Machine-readable output on stdout.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<ProfileStatus> statuses;
            try (Netns netns = common.namespace()) {
                statuses = common.loadBalancer(netns, WriterLock.Waiting.standard()).status();
            } catch (LbException e) {
                throw new InputException(e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.document(statuses));
                return ExitCode.OK;
            }
            if (statuses.isEmpty()) {
                out.println("no profiles in " + common.stateFile);
            }
            for (ProfileStatus status : statuses) {
                out.printf("%s: %s %s (%s) chain %s: %s%n", status.name(), status.source(), status.protocol(),
                        status.rulesBackend(), status.chain(), status.state());
                for (ProfileStatus.BackendStatus backend : status.destinations()) {
                    out.printf(Locale.ROOT, "  %-24s weight %-4d share %5.1f%%  probability %.5f  packets %s%n",
                            backend.destination(), backend.weight(), 100 * backend.share(), backend.probability(),
                            backend.packets() == null ? "-" : backend.packets().toString());
                }
            }
            return ExitCode.OK;
        }
    }
}
