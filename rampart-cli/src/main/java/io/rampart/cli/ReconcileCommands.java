package io.rampart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.rampart.api.ApplyResult;
import io.rampart.api.Confirmations;
import io.rampart.api.PendingConfirmation;
import io.rampart.api.StatusResult;
import io.rampart.model.Failure;
import io.rampart.model.Family;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.ApplyException;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.Plan;
import io.rampart.reconcile.PlanException;
import io.rampart.reconcile.Reconciler;
import io.rampart.reconcile.Xtables;
import io.rampart.system.Backend;
import io.rampart.system.CountingRunner;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import io.rampart.system.SystemException;
import io.rampart.system.SystemXtables;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** plan, apply and status: the commands that compare a ruleset file with the kernel. */
final class ReconcileCommands {

    private ReconcileCommands() {
    }

    /** What the three commands share: the file, the kernel options, and one reconciler run. */
    abstract static class FileCommand implements Callable<Integer> {
        @Mixin
        KernelOptions options;

        @Parameters(index = "0", paramLabel = "FILE", description = "A ruleset: iptables-save text or the Rampart"
                + " language (docs/language.md). A file with tables for both families plans and applies both,"
                + " unless -4 or -6 is given.")
        Path file;

        @Spec
        CommandSpec spec;

        final CountingRunner processes = new CountingRunner(ProcessRunner.system());

        @Override
        public Integer call() {
            try (Netns netns = options.namespace(processes)) {
                // The whole file is read and checked before the kernel is touched, for every family.
                Map<Family, DesiredState> desired = RulesetFiles.desired(file, options,
                        new NetnsValueResolver(netns), spec.commandLine().getErr());
                checkFamilies(desired.keySet());
                Integer refused = refusal(desired.keySet(), netns);
                if (refused != null) {
                    return refused;
                }
                if (desired.size() == 1) {
                    DesiredState only = desired.values().iterator().next();
                    return run(reconciler(netns, only), only, netns, spec.commandLine().getOut());
                }
                return runEach(desired, netns);
            } catch (PlanException e) {
                throw new InputException(file + ": " + e.getMessage());
            } catch (ApplyException e) {
                throw new SystemException(e.getMessage());
            }
        }

        /**
         * Runs each family of a file for both, IPv4 first: as text, each under a line naming its
         * command; as JSON, one array of the documents. The worst exit code wins.
         */
        private int runEach(Map<Family, DesiredState> desired, Netns netns) throws PlanException, ApplyException {
            PrintWriter out = spec.commandLine().getOut();
            List<JsonNode> documents = new ArrayList<>();
            int exitCode = ExitCode.OK;
            for (DesiredState state : desired.values()) {
                StringWriter captured = new StringWriter();
                PrintWriter familyOut = new PrintWriter(captured);
                if (!options.json) {
                    out.println(state.family().command() + ":");
                    out.flush();
                }
                exitCode = Math.max(exitCode, run(reconciler(netns, state), state, netns,
                        options.json ? familyOut : out));
                familyOut.flush();
                if (options.json) {
                    documents.add(Json.parse(captured.toString()));
                }
            }
            if (options.json) {
                out.println(Json.document(documents));
            }
            return exitCode;
        }

        private Reconciler reconciler(Netns netns, DesiredState desired) {
            return new Reconciler(xtables(netns, desired), StandardExtensions.registry());
        }

        /** Refuses a set of families the command cannot work on together; by default any will do. */
        void checkFamilies(Set<Family> families) {
        }

        /** The exit code when the command must not go on to the kernel, after saying why; null to go on. */
        Integer refusal(Set<Family> families, Netns netns) {
            return null;
        }

        abstract int run(Reconciler reconciler, DesiredState desired, Netns netns, PrintWriter out)
                throws PlanException, ApplyException;

        /** The kernel the reconciler reads and writes. */
        Xtables xtables(Netns netns, DesiredState desired) {
            return new SystemXtables(netns);
        }

        /** The plan as JSON, or {@code whenEmpty}, or the changes followed by {@code afterChanges}. */
        void print(Plan plan, PrintWriter out, String whenEmpty, String afterChanges) {
            if (options.json) {
                out.println(Json.document(plan));
            } else if (plan.isEmpty()) {
                out.println(whenEmpty);
            } else {
                PlanText.print(plan, out);
                out.println(afterChanges);
            }
        }

        /** Warnings from the kernel's dump go to stderr, whatever the output format. */
        Plan warned(Plan plan) {
            plan.warnings().forEach(w -> spec.commandLine().getErr().println("rampart: warning: " + w));
            return plan;
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "Show what `apply FILE' would change, chain by chain, and change nothing.")
    static final class PlanCommand extends FileCommand {
        @Override
        int run(Reconciler reconciler, DesiredState desired, Netns netns, PrintWriter out) throws PlanException {
            Plan plan = warned(reconciler.plan(desired));
            print(plan, out, "nothing to change: the kernel holds " + file,
                    "apply would change " + PlanText.summary(plan));
            return ExitCode.OK;
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = {"Bring the kernel to FILE: chains the file declares get exactly its rules, in order;"
                    + " other chains are not touched. One iptables-save, and one atomic iptables-restore only"
                    + " when something differs."})
    static final class ApplyCommand extends FileCommand {

        @Mixin
        ApplySafety safety;

        @Mixin
        WriterWait writerWait;

        @Option(names = "--fallback", paramLabel = "FALLBACK",
                description = "When FILE cannot be read or the kernel refuses it, apply FALLBACK instead"
                        + " (for every family it has tables for) and exit with FILE's error code: the boot unit"
                        + " uses it so that a broken file leaves the host closed, not open.")
        Path fallback;

        @Option(names = "--expect", paramLabel = "EXPECT",
                description = "Apply only when every expectation of EXPECT (docs/expectations.md) holds for FILE's"
                        + " ruleset, as `rampart test FILE EXPECT' proves it; otherwise change nothing and exit 3.")
        Path expect;

        @Override
        public Integer call() {
            if (fallback == null) {
                return super.call();
            }
            if (safety.confirmWindow() != null) {
                throw new ParameterException(spec.commandLine(), "--fallback and --confirm exclude each other:"
                        + " a fallback is for when nobody is there to confirm");
            }
            int failed;
            try {
                return super.call();
            } catch (Failure e) {
                spec.commandLine().getErr().println("rampart: " + e.getMessage());
                failed = e.category().exitCode();
            }
            spec.commandLine().getErr().println("rampart: " + file + " was not applied: applying the fallback "
                    + fallback);
            spec.commandLine().getErr().flush();
            Path broken = file;
            file = fallback;
            try {
                super.call();
            } finally {
                file = broken;
            }
            return failed;
        }

        @Override
        void checkFamilies(Set<Family> families) {
            if (families.size() > 1 && safety.confirmWindow() != null) {
                throw new InputException("--confirm takes one family at a time: " + file + " has tables for"
                        + " iptables and ip6tables; apply with -4 --confirm, then with -6 --confirm");
            }
            if (families.size() > 1 && expect != null) {
                throw new InputException("--expect takes one family at a time: " + file + " has tables for"
                        + " iptables and ip6tables; apply with -4 --expect, then with -6 --expect");
            }
        }

        /** Expectations that do not all hold for the file's ruleset leave the kernel as it is. */
        @Override
        Integer refusal(Set<Family> families, Netns netns) {
            if (expect == null) {
                return null;
            }
            Family family = families.iterator().next();
            io.rampart.analysis.Expectations expectations = ExpectationFiles.read(expect, family);
            // The file was read and its warnings printed already.
            io.rampart.config.FamilyRuleset ruleset = RulesetFiles.familyRuleset(file, family,
                    new NetnsValueResolver(netns), new PrintWriter(new StringWriter()));
            ExpectationFiles.Report report = ExpectationFiles.prove(expectations,
                    new io.rampart.analysis.RulesetDiff.Side(file.toString(), ruleset.ruleset(), ruleset::location));
            if (report.passed()) {
                return null;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.print(options.json ? Json.document(report) + "\n" : ExpectationFiles.text(report));
            out.flush();
            spec.commandLine().getErr().println("rampart: " + file + " was not applied: " + (report.failed()
                    + report.unknown()) + " of " + report.results().size() + " expectations of " + expect
                    + " do not hold; nothing was changed");
            return ExitCode.DRIFT;
        }

        @Override
        Xtables xtables(Netns netns, DesiredState desired) {
            safety.prepare(new Confirmations(PendingConfirmation.of(target(desired.family())), processes,
                    Main.class.getName()));
            return safety.guard(new SystemXtables(netns, writerWait.waiting(spec.commandLine().getErr(), options.json)),
                    desired, netns);
        }

        private PendingConfirmation.Target target(Family family) {
            return new PendingConfirmation.Target(options.netns, family);
        }

        @Override
        int run(Reconciler reconciler, DesiredState desired, Netns netns, PrintWriter out)
                throws PlanException, ApplyException {
            Reconciler.Applied applied = reconciler.apply(desired);
            warned(applied.plan());
            if (!applied.notes().isEmpty()) {
                spec.commandLine().getErr().println("rampart: iptables-restore said: " + applied.notes());
            }
            long ms = applied.took().toMillis();
            Backend detected = Backend.detect(desired.family());
            String backend = detected.label();
            if (applied.written()) {
                String other = detected.otherBackendWarning(netns, desired.family());
                if (other != null) {
                    spec.commandLine().getErr().println("rampart: warning: " + other);
                }
            }
            if (options.json) {
                ApplySafety.Pending pending = safety.pending(target(desired.family()));
                out.println(Json.document(ApplyResult.of(applied, backend, processes.started(), pending == null ? null
                        : new ApplyResult.Confirmation(pending.rollsBackAt(), pending.confirm(), pending.rollback()))));
            } else if (!applied.written()) {
                out.printf("nothing to change; %d process%s (%s), %d ms%n", processes.started(),
                        processes.started() == 1 ? "" : "es", backend, ms);
            } else {
                PlanText.print(applied.plan(), out);
                out.printf("applied: %s; %d processes (%s), %d ms%n", PlanText.summary(applied.plan()),
                        processes.started(), backend, ms);
            }
            return safety.afterApply(target(desired.family()), options.json, out);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Exit 0 when the kernel holds FILE, 3 when it drifted, naming each drifted chain.")
    static final class StatusCommand extends FileCommand {
        @Override
        int run(Reconciler reconciler, DesiredState desired, Netns netns, PrintWriter out) throws PlanException {
            Plan plan = warned(reconciler.plan(desired));
            if (options.json) {
                out.println(Json.document(StatusResult.of(plan)));
                return plan.isEmpty() ? ExitCode.OK : ExitCode.DRIFT;
            }
            print(plan, out, "in sync: the kernel holds " + file,
                    "drift: " + PlanText.summary(plan) + " differ from " + file);
            return plan.isEmpty() ? ExitCode.OK : ExitCode.DRIFT;
        }
    }
}
