package io.rampart.cli;

import io.rampart.config.RulesetSource;
import io.rampart.fleet.Bundle;
import io.rampart.api.FleetSource;
import io.rampart.api.SafeApply;
import io.rampart.fleet.EtcdStore;
import io.rampart.fleet.EtcdTls;
import io.rampart.fleet.FleetAgent;
import io.rampart.fleet.FleetPlan;
import io.rampart.fleet.FleetView;
import io.rampart.fleet.HostPlan;
import io.rampart.fleet.HostValues;
import io.rampart.fleet.Publisher;
import io.rampart.fleet.Revision;
import io.rampart.fleet.RolloutState;
import io.rampart.fleet.StoreLayout;
import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.reconcile.ApplyException;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.Plan;
import io.rampart.reconcile.PlanException;
import io.rampart.system.Netns;
import io.rampart.system.SystemException;
import io.rampart.system.SystemXtables;
import io.rampart.system.agent.InvalidFileException;
import io.rampart.system.agent.KernelWatch;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import picocli.CommandLine;

/** What the fleet commands do, kept apart from their options so that only they load the etcd client. */
final class FleetRunner {

    private FleetRunner() {
    }

    /** One publish as --json prints it. */
    record PublishResult(String revision, boolean stored) {
    }

    /** The store {@code --etcd}, {@code --prefix} and the TLS options name. */
    static EtcdStore connect(String endpoints, String prefix, FleetCommands.TlsOptions tls) {
        return EtcdStore.connect(endpoints, new StoreLayout(prefix), EtcdTls.of(tls.caCert, tls.cert, tls.key));
    }

    static int publish(FleetCommands.EtcdOptions etcd, Path file, String message, boolean json, PrintWriter out,
                       PrintWriter err) {
        Stored published;
        try (EtcdStore store = connect(etcd.endpoints, etcd.prefix, etcd.tls)) {
            published = publish(store, file, message, err);
        }
        if (json) {
            out.println(Json.line(new PublishResult(published.revision().id(), published.stored())));
        } else {
            out.println(published.stored() ? "published " + file + " (" + published.revision().bundle().files().size()
                    + " file(s))" : "already published: the same content");
            out.println(published.revision().id());
        }
        return ExitCode.OK;
    }

    /** A revision, and whether publishing it stored it (false: it was stored already). */
    record Stored(Revision revision, boolean stored) {
    }

    /** Checks {@code file} as {@code check} does (its findings on {@code err}) and stores it as a revision. */
    static Stored publish(EtcdStore store, Path file, String message, PrintWriter err) {
        RulesetSource source = RulesetFiles.load(file, Family.IPV4, Optional.empty());
        err.print(RulesetFiles.render(source, false));
        err.flush();
        if (source.hasErrors()) {
            throw new InputException(RulesetFiles.render(source, true).stripTrailing()
                    + "\n" + file + ": not published: it does not check clean");
        }
        Revision revision = Revision.of(Bundle.collect(file, source.files().keySet()), publisher(), Instant.now(),
                message);
        return new Stored(revision, new Publisher(store).publish(revision).stored());
    }

    /**
     * {@code rampart agent --etcd URLS --host NAME}: the agent in fleet mode until SIGTERM or SIGINT,
     * one log line per event on stderr.
     */
    static int agent(Path file, FleetCommands.AgentOptions fleet, KernelOptions options, Duration interval,
                     CommandLine commandLine) {
        if (file != null || fleet.endpoints == null || fleet.host == null) {
            throw new CommandLine.ParameterException(commandLine, file == null && !fleet.given()
                    ? "Missing required parameter: FILE (or --etcd URLS --host NAME for fleet mode)"
                    : "fleet mode takes --etcd URLS and --host NAME, and no FILE: the fleet assigns it");
        }
        PrintWriter err = commandLine.getErr();
        Duration grace = SafeApply.window("--grace", fleet.grace);
        try (Netns netns = options.namespace();
             EtcdStore store = connect(fleet.endpoints, fleet.prefix, fleet.tls)) {
            Path stateDir = fleet.stateDir != null ? fleet.stateDir : FleetAgent.defaultStateDir(fleet.host);
            FleetAgent agent = fleetAgent(store, fleet.host, HostValues.parseLabels(fleet.labels), stateDir,
                    options.family(), netns, interval, grace, err);
            AgentCommand.runUntilSignalled(agent::stop, () -> {
                try {
                    agent.run();
                } catch (IOException e) {
                    throw new SystemException("cannot keep the fleet state in " + stateDir + ": " + e.getMessage());
                }
            });
        } catch (InvalidFileException e) {
            throw new InputException(e.getMessage());
        } catch (PlanException e) {
            throw new InputException(e.getMessage());
        } catch (ApplyException e) {
            throw new SystemException(e.getMessage());
        }
        return ExitCode.OK;
    }

    /** The fleet agent of {@code host} on {@code netns} with the default grace period. */
    static FleetAgent fleetAgent(EtcdStore store, String host, Map<String, String> labels, Path stateDir, Family family,
                                 Netns netns, Duration interval, PrintWriter err) {
        return fleetAgent(store, host, labels, stateDir, family, netns, interval, FleetAgent.DEFAULT_GRACE, err);
    }

    /**
     * The fleet agent of {@code host} on {@code netns}, reading revisions as {@code plan} reads files;
     * it guards its own way to etcd when it runs inside {@code netns}, its traffic passing those rules.
     */
    static FleetAgent fleetAgent(EtcdStore store, String host, Map<String, String> labels, Path stateDir, Family family,
                                 Netns netns, Duration interval, Duration grace, PrintWriter err) {
        NetnsValueResolver resolver = new NetnsValueResolver(netns);
        FleetAgent.RulesetReader reader = path -> {
            DesiredState state = RulesetFiles.desiredOf(path, family, resolver, err);
            if (state == null) {
                throw new InvalidFileException(path + ": has no table for " + family.command());
            }
            return state;
        };
        FleetAgent.SelfGuard selfGuard = FleetAgent.SelfGuard.ownTrafficPasses(netns)
                ? FleetAgent.SelfGuard.of(netns, family, grace, Main.class.getName()) : null;
        return new FleetAgent(store, host, labels, stateDir, reader, NameDatabase.system(), new SystemXtables(netns),
                KernelWatch.detect(netns, family, interval), line -> {
                    err.println(Instant.now() + " " + host + ": " + line);
                    err.flush();
                }, selfGuard);
    }

    /** One host as {@code fleet status --json} prints it. */
    record HostLine(String host, String state, String revision, String assigned, String error,
                    Long reportedSecondsAgo) {
    }

    /** {@code fleet status --json}; {@code rollout} as {@code fleet rollout --json} prints it, null when none. */
    record StatusResult(List<HostLine> hosts, Map<String, Integer> counts, boolean converged, RolloutState rollout,
                        String controller) {
    }

    /** The fleet as {@code fleet status --json} prints it. */
    static StatusResult statusResult(FleetView view) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        view.counts().forEach((state, count) -> counts.put(state.label(), count));
        return new StatusResult(view.hosts().stream().map(host -> new HostLine(host.name(), host.state().label(),
                host.revision(), host.assigned(), host.error(),
                host.reportedAgo() == null ? null : host.reportedAgo().toSeconds())).toList(), counts,
                view.allConverged(), view.rollout(), view.controller());
    }

    /** A revision the fleet uses, as the page shows it: who published it and why, who holds it and who should. */
    record RevisionLine(String id, String publishedBy, String publishedAt, String message, List<String> held,
                        List<String> assigned) {
    }

    /** What {@code serve --etcd} answers at {@code /api/fleet}. */
    record FleetPage(StatusResult status, List<RevisionLine> revisions) {
    }

    /** The page's fleet, read from the etcd of {@code options} at each request; the store stays open until closed. */
    static FleetSource fleetSource(FleetCommands.ServeOptions options) {
        EtcdStore store = connect(options.endpoints, options.prefix, options.tls);
        return new FleetSource() {
            @Override
            public Object read() {
                FleetView view = FleetView.read(store);
                Map<String, List<String>> held = new TreeMap<>();
                Map<String, List<String>> assigned = new TreeMap<>();
                for (FleetView.Host host : view.hosts()) {
                    if (host.revision() != null) {
                        held.computeIfAbsent(host.revision(), id -> new ArrayList<>()).add(host.name());
                    }
                    if (host.assigned() != null) {
                        assigned.computeIfAbsent(host.assigned(), id -> new ArrayList<>()).add(host.name());
                    }
                }
                Set<String> used = new TreeSet<>(held.keySet());
                used.addAll(assigned.keySet());
                List<RevisionLine> revisions = new ArrayList<>();
                for (String id : used) {
                    Optional<Revision> revision = store.get(store.layout().revision(id))
                            .map(json -> Revision.fromJson(store.layout().revision(id), json));
                    revisions.add(new RevisionLine(id, revision.map(Revision::publishedBy).orElse(null),
                            revision.map(r -> r.publishedAt().toString()).orElse(null),
                            revision.map(Revision::message).orElse(null), held.getOrDefault(id, List.of()),
                            assigned.getOrDefault(id, List.of())));
                }
                return new FleetPage(statusResult(view), revisions);
            }

            @Override
            public void close() {
                store.close();
            }
        };
    }

    static int status(String endpoints, String prefix, FleetCommands.TlsOptions tls, String select, boolean json,
                      PrintWriter out) {
        Map<String, String> labels = HostValues.parseLabels("--select", select);
        FleetView view;
        try (EtcdStore store = connect(endpoints, prefix, tls)) {
            view = FleetView.read(store).selecting(labels);
        }
        StatusResult result = statusResult(view);
        Map<String, Integer> counts = result.counts();
        if (json) {
            out.println(Json.document(result));
        } else {
            int width = view.hosts().stream().mapToInt(host -> host.name().length()).max().orElse(4);
            for (FleetView.Host host : view.hosts()) {
                StringBuilder line = new StringBuilder(String.format("%-" + width + "s  %-9s  revision %s",
                        host.name(), host.state().label(), host.revision() == null ? "-" : host.revision()));
                if (host.assigned() != null && !host.assigned().equals(host.revision())) {
                    line.append(" (assigned ").append(host.assigned()).append(')');
                }
                line.append(host.reportedAgo() == null ? "; never reported"
                        : "; reported " + host.reportedAgo().toSeconds() + " s ago");
                if (host.error() != null) {
                    line.append("; error: ").append(host.error().lines().findFirst().orElse(""));
                }
                out.println(line);
            }
            out.println(view.hosts().size() + " host(s): " + String.join(", ", counts.entrySet().stream()
                    .map(e -> e.getValue() + " " + e.getKey()).toList()));
            if (view.rollout() != null) {
                printRollout(view, out);
            }
        }
        return view.allConverged() ? ExitCode.OK : ExitCode.DRIFT;
    }

    /** One host's answer as {@code fleet plan --json} prints it: its plan, or why the revision fails there. */
    record PlanLine(String host, Plan plan, String error) {
    }

    /** {@code fleet plan --json}. */
    record PlanResult(String revision, List<PlanLine> hosts, List<String> failed, List<String> unanswered) {
    }

    static int plan(FleetCommands.EtcdOptions etcd, String revision, String select, String wait, boolean json,
                    PrintWriter out) {
        Map<String, String> labels = HostValues.parseLabels("--select", select);
        Duration within = SafeApply.window("--wait", wait);
        FleetPlan plan;
        try (EtcdStore store = connect(etcd.endpoints, etcd.prefix, etcd.tls)) {
            plan = FleetPlan.request(store, revision, labels, within);
        }
        if (json) {
            out.println(Json.document(new PlanResult(revision, plan.answers().values().stream()
                    .map(answer -> new PlanLine(answer.host(), answer.plan(), answer.error())).toList(), plan.failed(),
                    plan.unanswered())));
        } else {
            for (HostPlan answer : plan.answers().values()) {
                if (answer.error() != null) {
                    out.println(answer.host() + ": fails with its values");
                    answer.error().lines().forEach(line -> out.println("  " + line));
                } else if (answer.plan().isEmpty()) {
                    out.println(answer.host() + ": nothing to change");
                } else {
                    out.println(answer.host() + ": " + PlanText.summary(answer.plan()));
                    StringWriter text = new StringWriter();
                    PlanText.print(answer.plan(), new PrintWriter(text));
                    text.toString().lines().forEach(line -> out.println("  " + line));
                }
            }
            plan.unanswered().forEach(host -> out.println(host + ": no answer within " + within.toSeconds() + " s"));
            out.println((plan.answers().size() + plan.unanswered().size()) + " host(s): "
                    + (plan.answers().size() - plan.failed().size()) + " planned, " + plan.failed().size() + " failed, "
                    + plan.unanswered().size() + " did not answer");
        }
        return !plan.failed().isEmpty() ? ExitCode.BAD_INPUT : plan.unanswered().isEmpty() ? ExitCode.OK
                : ExitCode.SYSTEM;
    }

    /** The rollout under the hosts: its wave and result, who drives it, and each host that did not pass. */
    private static void printRollout(FleetView view, PrintWriter out) {
        RolloutState rollout = view.rollout();
        out.println("the " + rollout.summary());
        if (rollout.result() == RolloutState.Result.RUNNING) {
            out.println(view.controller() == null
                    ? "  no controller acts on it: `rampart fleet resume' continues it"
                    : "  driven by " + view.controller());
        }
        rollout.hosts().forEach((host, outcome) -> {
            if (outcome.outcome() != RolloutState.Outcome.PASSED && outcome.outcome() != RolloutState.Outcome.PENDING) {
                out.println("  " + host + ": " + outcome.outcome().label() + (outcome.error() == null ? ""
                        : " (" + outcome.error().lines().findFirst().orElse("") + ")"));
            }
        });
    }

    /** Who publishes: the user and the machine. */
    static String publisher() {
        String host;
        try {
            host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            host = "unknown";
        }
        return System.getProperty("user.name") + "@" + host;
    }
}
