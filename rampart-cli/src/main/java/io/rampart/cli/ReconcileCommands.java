package io.rampart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.rampart.api.ApplyResult;
import io.rampart.api.NoopMemo;
import io.rampart.api.PendingConfirmation.Target;
import io.rampart.api.Reconciliation;
import io.rampart.api.StatusResult;
import io.rampart.model.Failure;
import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.Plan;
import io.rampart.reconcile.Reconciler;
import io.rampart.system.ProcessRunner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /**
     * What the three commands share: the file, the kernel options, and one run of the use case per family.
     * Picocli sets them up, or {@link FileArguments} for their plain forms.
     */
    abstract static class FileCommand implements Callable<Integer>, WritesOutput {
        @Mixin
        KernelOptions options;

        @Parameters(index = "0", paramLabel = "FILE", description = "A ruleset: iptables-save text or the Rampart"
                + " language (docs/language.md). A file with tables for both families plans and applies both,"
                + " unless -4 or -6 is given.")
        Path file;

        /** Picocli's model of the command; null when {@link FileArguments} read its arguments. */
        @Spec
        CommandSpec spec;

        PrintWriter out;
        PrintWriter err;

        @Override
        public void setOutput(PrintWriter out, PrintWriter err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            try (Reconciliation kernel = Reconciliation.open(options.netns, ProcessRunner.system(),
                    NameDatabase.system())) {
                readAhead(kernel);
                Optional<Integer> remembered = remembered(kernel);
                if (remembered.isPresent()) {
                    return remembered.get();
                }
                // The whole file is read and checked before the kernel is touched, for every family.
                Map<Family, DesiredState> desired = read(kernel);
                checkFamilies(desired.keySet());
                if (desired.size() == 1) {
                    return run(kernel, desired.values().iterator().next(), out);
                }
                return runEach(desired, kernel);
            }
        }

        /**
         * Runs each family of a file for both, IPv4 first: as text, each under a line naming its
         * command; as JSON, one array of the documents. The worst exit code wins.
         */
        private int runEach(Map<Family, DesiredState> desired, Reconciliation kernel) {
            List<JsonNode> documents = new ArrayList<>();
            int exitCode = ExitCode.OK;
            for (DesiredState state : desired.values()) {
                StringWriter captured = new StringWriter();
                PrintWriter familyOut = new PrintWriter(captured);
                if (!options.json) {
                    out.println(state.family().command() + ":");
                    out.flush();
                }
                exitCode = Math.max(exitCode, run(kernel, state, options.json ? familyOut : out));
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

        /**
         * Starts the kernel's dump of the family the options name while the file is read (a file
         * for both families reads the other one when it gets to it); a reader's by default.
         */
        void readAhead(Reconciliation kernel) {
            kernel.readAhead(options.family(), false);
        }

        /** The exit code of a run the no-op memo answers without reading the file; by default none does. */
        Optional<Integer> remembered(Reconciliation kernel) {
            return Optional.empty();
        }

        /** The desired state of each family of the file, its warnings printed. */
        Map<Family, DesiredState> read(Reconciliation kernel) {
            return RulesetFiles.desired(file, options, new NetnsValueResolver(kernel.netns()), err);
        }

        /** Refuses a set of families the command cannot work on together; by default any will do. */
        void checkFamilies(Set<Family> families) {
        }

        /** Runs the use case for one family's desired state and prints what came of it; returns the exit code. */
        abstract int run(Reconciliation kernel, DesiredState desired, PrintWriter out);

        /** The plan as JSON, or {@code whenEmpty}, or the changes followed by {@code afterChanges}. */
        void print(Plan plan, PrintWriter out, String whenEmpty, String afterChanges) {
            if (options.json) {
                out.println(Json.document(plan));
            } else if (plan.isEmpty()) {
                out.println(whenEmpty);
            } else {
                printChanges(plan, out);
                out.println(afterChanges);
            }
        }

        /**
         * The plan's changes, written to {@code out} at once: the command line's stdout flushes on
         * every line, which for a cold apply of 100,000 rules was as many writes.
         */
        static void printChanges(Plan plan, PrintWriter out) {
            StringWriter text = new StringWriter();
            PlanText.print(plan, new PrintWriter(text));
            out.print(text);
        }

        /** Warnings from the kernel's dump go to stderr, whatever the output format. */
        Plan warned(Plan plan) {
            plan.warnings().forEach(this::warn);
            return plan;
        }

        void warn(String warning) {
            err.println("rampart: warning: " + warning);
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "Show what `apply FILE' would change, chain by chain, and change nothing.")
    static final class PlanCommand extends FileCommand {
        @Override
        int run(Reconciliation kernel, DesiredState desired, PrintWriter out) {
            Plan plan = warned(kernel.plan(desired));
            print(plan, out, "nothing to change: the kernel holds " + file,
                    "apply would change " + PlanText.summary(plan));
            return ExitCode.OK;
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = {"Bring the kernel to FILE: chains the file declares get exactly its rules, in order;"
                    + " other chains are not touched. One iptables-save, and one atomic iptables-restore only"
                    + " when something differs.",
                    "When FILE, what it includes and looks up, and the chains it declares are as at the last verified"
                            + " apply (" + NoopMemo.ROOT + "), the no-op is answered without reading FILE."})
    static final class ApplyCommand extends FileCommand {

        @Mixin
        ApplySafety safety;

        @Mixin
        WriterWait writerWait;

        static final String FALLBACK = "--fallback";
        static final String EXPECT = "--expect";
        static final String NO_MEMO = "--no-memo";

        @Option(names = FALLBACK, paramLabel = "FALLBACK",
                description = "When FILE cannot be read or the kernel refuses it, apply FALLBACK instead"
                        + " (for every family it has tables for) and exit with FILE's error code: the boot unit"
                        + " uses it so that a broken file leaves the host closed, not open.")
        Path fallback;

        @Option(names = NO_MEMO,
                description = "Read FILE even when it and the kernel are as at the last verified apply, and record"
                        + " nothing for the next apply (see " + NoopMemo.ROOT + " under FILES).")
        boolean noMemo;

        /** The memo this run checked, whose answers the full read reuses. */
        private Optional<NoopMemo> memo = Optional.empty();

        /** What this run's reading of the file depended on, while it is one family's: recorded after a no-op apply. */
        private NoopMemo.Reading reading;

        /** The full read started while the memo's check waited for the kernel's dump; null when none was. */
        private SpeculativeRead readingAhead;

        @Option(names = EXPECT, paramLabel = "EXPECT",
                description = "Apply only when every expectation of EXPECT (docs/expectations.md) holds for FILE's"
                        + " ruleset, as `rampart test FILE EXPECT' proves it; otherwise change nothing and exit 3.")
        Path expect;

        @Override
        public Integer call() {
            if (fallback == null) {
                return super.call();
            }
            if (safety.confirmWindow() != null) {
                // FileArguments leaves both together to picocli, so spec is there.
                throw new ParameterException(spec.commandLine(), "--fallback and --confirm exclude each other:"
                        + " a fallback is for when nobody is there to confirm");
            }
            int failed;
            try {
                return super.call();
            } catch (ExpectationFiles.Refused notBroken) {
                throw notBroken; // FILE is fine: its ruleset does what the expectations deny, and so might FALLBACK's
            } catch (Failure e) {
                failed = Failures.report(e, err);
            }
            err.println("rampart: " + file + " was not applied: applying the fallback " + fallback);
            err.flush();
            Path broken = file;
            file = fallback;
            try {
                super.call();
            } finally {
                file = broken;
            }
            return failed;
        }

        /**
         * A writer's dump, under the writers' lock. Not with --expect, whose expectations must hold
         * before the kernel is read, nor with --confirm, whose rollback timer is another writer.
         */
        @Override
        void readAhead(Reconciliation kernel) {
            if (expect == null && safety.confirmWindow() == null) {
                kernel.readAhead(options.family(), true);
            }
        }

        /**
         * The memo answers only a plain apply: --expect must prove its expectations on the file's
         * ruleset, --confirm arms a rollback, and --fallback reads another file when this one fails.
         */
        private Optional<NoopMemo> covering() {
            if (noMemo || expect != null || fallback != null || safety.confirmWindow() != null) {
                return Optional.empty();
            }
            return Optional.of(NoopMemo.of(new Target(options.netns, options.family())));
        }

        @Override
        Optional<Integer> remembered(Reconciliation kernel) {
            reading = null;
            memo = covering();
            readingAhead = null;
            Optional<NoopMemo.Hit> hit = memo.flatMap(memo -> memo.check(file, options.familyGiven(), kernel,
                    new NetnsValueResolver(kernel.netns()), NameDatabase.system(),
                    () -> readingAhead = SpeculativeRead.start(() -> read(kernel, memo))));
            if (hit.isEmpty()) {
                return Optional.empty();
            }
            err.print(hit.get().warnings());
            err.flush();
            return Optional.of(report(kernel, hit.get().apply(), new Target(options.netns, options.family()),
                    out, true));
        }

        @Override
        Map<Family, DesiredState> read(Reconciliation kernel) {
            if (memo.isEmpty()) {
                return super.read(kernel);
            }
            SpeculativeRead ahead = readingAhead != null ? readingAhead
                    : SpeculativeRead.now(() -> read(kernel, memo.get()));
            readingAhead = null;
            SpeculativeRead.Read read = ahead.join(RulesetFiles.printing(err));
            reading = read.desired().size() == 1 ? read.recording() : null;
            return read.desired();
        }

        /** The full read of the file for the memo: what it depended on recorded, its warnings kept to be printed. */
        private SpeculativeRead.Read read(Reconciliation kernel, NoopMemo memo) {
            NoopMemo.Reading recording = memo.reading(file, options.familyGiven());
            StringBuilder warned = new StringBuilder();
            Map<Family, DesiredState> desired;
            try {
                desired = RulesetFiles.desired(file, options, recording.resolver(new NetnsValueResolver(kernel.netns())),
                        recording.names(NameDatabase.system()), recording.warnings(warned::append), recording::inputs);
            } catch (RuntimeException e) {
                throw new SpeculativeRead.Failed(warned.toString(), e);
            }
            return new SpeculativeRead.Read(desired, recording, warned.toString());
        }

        @Override
        void checkFamilies(Set<Family> families) {
            if (families.size() > 1) {
                oneFamilyAtATime("--confirm", safety.confirmWindow() != null);
                oneFamilyAtATime("--expect", expect != null);
            }
        }

        private void oneFamilyAtATime(String option, boolean given) {
            if (given) {
                throw new InputException(option + " takes one family at a time: " + file + " has tables for"
                        + " iptables and ip6tables; apply with -4 " + option + ", then with -6 " + option);
            }
        }

        /** Expectations that do not all hold for the file's ruleset leave the kernel as it is: the report says why. */
        private void proveExpectations(Reconciliation kernel, DesiredState desired) {
            if (expect == null) {
                return;
            }
            io.rampart.analysis.Expectations expectations = ExpectationFiles.read(expect, desired.family());
            // The file was read and its warnings printed already.
            io.rampart.config.FamilyRuleset ruleset = RulesetFiles.familyRuleset(file, desired.family(),
                    new NetnsValueResolver(kernel.netns()), new PrintWriter(new StringWriter()));
            ExpectationFiles.Report report = ExpectationFiles.prove(expectations,
                    new io.rampart.analysis.RulesetDiff.Side(file.toString(), ruleset.ruleset(), ruleset::location));
            if (report.passed()) {
                return;
            }
            out.print(options.json ? Json.document(report) + "\n" : ExpectationFiles.text(report));
            out.flush();
            throw new ExpectationFiles.Refused(file + " was not applied: " + (report.failed() + report.unknown())
                    + " of " + report.results().size() + " expectations of " + expect + " do not hold; nothing was"
                    + " changed");
        }

        @Override
        int run(Reconciliation kernel, DesiredState desired, PrintWriter out) {
            Target target = new Target(options.netns, desired.family());
            Reconciliation.Applied result = kernel.apply(desired, safety.of(writerWait.waiting(err, options.json),
                    wanted -> proveExpectations(kernel, wanted)));
            if (reading != null) {
                reading.record(desired, kernel, result);
            }
            return report(kernel, result, target, out, false);
        }

        /**
         * Prints what {@code result} did; {@code remembered} when the no-op memo answered it, which
         * the text says.
         */
        private int report(Reconciliation kernel, Reconciliation.Applied result, Target target, PrintWriter out,
                           boolean remembered) {
            Reconciler.Applied applied = result.applied();
            warned(applied.plan());
            if (!applied.notes().isEmpty()) {
                err.println("rampart: iptables-restore said: " + applied.notes());
            }
            if (applied.written()) {
                kernel.otherBackendWarning(target.family()).ifPresent(this::warn);
            }
            long ms = applied.took().toMillis();
            if (options.json) {
                out.println(Json.document(ApplyResult.of(result, kernel.processes(), result.armed()
                        .map(armed -> ApplyResult.Confirmation.commands(armed, target)).orElse(null))));
            } else if (!applied.written()) {
                out.printf("nothing to change; %d process%s (%s), %d ms%s%n", kernel.processes(),
                        kernel.processes() == 1 ? "" : "es", result.backend(), ms, remembered
                                ? "; " + file + " and the kernel are as at the last verified apply, the file was not"
                                + " read again" : "");
            } else {
                printChanges(applied.plan(), out);
                out.printf("applied: %s; %d processes (%s), %d ms%n", PlanText.summary(applied.plan()),
                        kernel.processes(), result.backend(), ms);
            }
            return safety.afterApply(result.armed(), target, options.json, out);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Exit 0 when the kernel holds FILE, 3 when it drifted, naming each drifted chain.")
    static final class StatusCommand extends FileCommand {
        @Override
        int run(Reconciliation kernel, DesiredState desired, PrintWriter out) {
            StatusResult status = kernel.status(desired);
            warned(status.plan());
            if (options.json) {
                out.println(Json.document(status));
            } else {
                print(status.plan(), out, "in sync: the kernel holds " + file,
                        "drift: " + PlanText.summary(status.plan()) + " differ from " + file);
            }
            return status.inSync() ? ExitCode.OK : ExitCode.DRIFT;
        }
    }
}
