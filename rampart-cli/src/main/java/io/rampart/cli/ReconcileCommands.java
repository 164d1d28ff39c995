package io.rampart.cli;

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
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

        @Parameters(index = "0", paramLabel = "FILE", description = "A ruleset in iptables-save format.")
        Path file;

        @Spec
        CommandSpec spec;

        final CountingRunner processes = new CountingRunner(ProcessRunner.system());

        @Override
        public Integer call() {
            DesiredState desired = RulesetFiles.read(file, options.family());
            try (Netns netns = options.namespace(processes)) {
                return run(new Reconciler(xtables(netns, desired), StandardExtensions.registry()), desired, netns,
                        spec.commandLine().getOut());
            } catch (PlanException e) {
                throw new InputException(file + ": " + e.getMessage());
            } catch (ApplyException e) {
                throw new SystemException(e.getMessage());
            }
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

        /** What --json prints for an apply; {@code confirmation} while it awaits confirmation. */
        record Summary(boolean changed, Plan plan, String backend, int processes, long milliseconds,
                       String kernelNotes, ApplySafety.Pending confirmation) {
        }

        @Override
        Xtables xtables(Netns netns, DesiredState desired) {
            safety.prepare(new Confirmations(PendingConfirmation.of(target()), processes));
            return safety.guard(super.xtables(netns, desired), desired, netns);
        }

        private PendingConfirmation.Target target() {
            return new PendingConfirmation.Target(options.netns, options.family());
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
            Backend detected = Backend.detect(options.family());
            String backend = detected.label();
            if (applied.written()) {
                String other = detected.otherBackendWarning(netns, options.family());
                if (other != null) {
                    spec.commandLine().getErr().println("rampart: warning: " + other);
                }
            }
            if (options.json) {
                out.println(Json.document(new Summary(applied.written(), applied.plan(), backend,
                        processes.started(), ms, applied.notes(), safety.pending(target()))));
            } else if (!applied.written()) {
                out.printf("nothing to change; %d process%s (%s), %d ms%n", processes.started(),
                        processes.started() == 1 ? "" : "es", backend, ms);
            } else {
                PlanText.print(applied.plan(), out);
                out.printf("applied: %s; %d processes (%s), %d ms%n", PlanText.summary(applied.plan()),
                        processes.started(), backend, ms);
            }
            return safety.afterApply(target(), options.json, out);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Exit 0 when the kernel holds FILE, 3 when it drifted, naming each drifted chain.")
    static final class StatusCommand extends FileCommand {
        @Override
        int run(Reconciler reconciler, DesiredState desired, Netns netns, PrintWriter out) throws PlanException {
            Plan plan = warned(reconciler.plan(desired));
            print(plan, out, "in sync: the kernel holds " + file,
                    "drift: " + PlanText.summary(plan) + " differ from " + file);
            return plan.isEmpty() ? ExitCode.OK : ExitCode.DRIFT;
        }
    }
}
