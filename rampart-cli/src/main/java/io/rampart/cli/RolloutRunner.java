package io.rampart.cli;

import io.rampart.analysis.Expectations;
import io.rampart.analysis.RulesetDiff;
import io.rampart.api.SafeApply;
import io.rampart.config.FamilyRuleset;
import io.rampart.config.RulesetSource;
import io.rampart.fleet.EtcdStore;
import io.rampart.fleet.HostValues;
import io.rampart.fleet.Rollout;
import io.rampart.fleet.RolloutState;
import io.rampart.fleet.StoreLayout;
import io.rampart.fleet.Waves;
import io.rampart.model.Failure;
import io.rampart.model.Family;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
        Rollout.Precondition precondition = command.expect == null ? Rollout.Precondition.NONE
                : expectations(command.expect, command.output);
        return run(command.output, rollout -> rollout.start(request, precondition));
    }

    /**
     * Every expectation of {@code expect} must hold for each expansion of the revision, proved as
     * {@code rampart test} proves it; the answers of each expansion that fails are printed, and the
     * rollout is refused (exit 3) before anything is written.
     */
    private static Rollout.Precondition expectations(Path expect, RolloutCommands.Output output) {
        PrintWriter out = output.spec.commandLine().getOut();
        return (revision, expansions) -> {
            Map<Family, Expectations> read = new EnumMap<>(Family.class);
            List<String> failing = new ArrayList<>();
            int[] counts = new int[2];
            expansions.forEach((file, hosts) -> {
                String name = "revision " + revision + " on " + String.join(", ", hosts);
                FamilyRuleset ruleset = expansion(file, name);
                Expectations expectations = read.computeIfAbsent(ruleset.family(),
                        family -> ExpectationFiles.read(expect, family));
                // The expansion lies in a temporary directory: its rules are named within the revision.
                String dir = file.getParent() + "/";
                ExpectationFiles.Report report = ExpectationFiles.prove(expectations, new RulesetDiff.Side(name,
                        ruleset.ruleset(), (table, index) -> {
                            String where = ruleset.location(table, index);
                            return where != null && where.startsWith(dir) ? where.substring(dir.length()) : where;
                        }));
                if (!report.passed()) {
                    failing.addAll(hosts);
                    counts[0] += report.failed() + report.unknown();
                    counts[1] += report.results().size();
                    out.print(output.json ? Json.line(report) + "\n" : name + ":\n" + ExpectationFiles.text(report));
                }
            });
            out.flush();
            if (!failing.isEmpty()) {
                throw new Failure(Failure.Category.DRIFT, "rollout of " + revision + " not started: " + counts[0]
                        + " of " + counts[1] + " answers to " + expect + " do not hold on " + String.join(", ", failing)
                        + "; nothing was written to etcd");
            }
        };
    }

    /** The one family's rules of an expansion, read as publish reads the revision; its errors refuse the rollout. */
    private static FamilyRuleset expansion(Path file, String name) {
        RulesetSource source = RulesetFiles.load(file, Family.IPV4, Optional.empty());
        if (source.hasErrors()) {
            throw new InputException(RulesetFiles.render(source, true).stripTrailing() + "\n" + name
                    + " does not read; nothing was written to etcd");
        }
        if (source.families().size() > 1) {
            throw new InputException("--expect takes one family at a time: " + name
                    + " has tables for iptables and ip6tables");
        }
        return source.families().values().iterator().next();
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
        try (EtcdStore store = FleetRunner.connect(output.etcd.endpoints, output.etcd.prefix, output.etcd.tls)) {
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
