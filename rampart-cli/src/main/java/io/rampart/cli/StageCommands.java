package io.rampart.cli;

import io.rampart.api.Confirmations;
import io.rampart.api.PendingConfirmation;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.ApplyException;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.PlanException;
import io.rampart.reconcile.StageListing;
import io.rampart.reconcile.Stages;
import io.rampart.system.CountingRunner;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import io.rampart.system.SystemException;
import io.rampart.system.SystemXtables;
import io.rampart.system.WriterLock;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** stage, switch, unstage and stages: several rulesets loaded, one of them live. */
final class StageCommands {

    private StageCommands() {
    }

    /** What the commands share: the kernel options and one {@link Stages} on the chosen namespace. */
    abstract static class StageCommand implements Callable<Integer> {
        @Mixin
        KernelOptions options;

        @Spec
        CommandSpec spec;

        final CountingRunner processes = new CountingRunner(ProcessRunner.system());

        /** Looks up a file's apply-time values in the chosen namespace, once it is open. */
        NetnsValueResolver resolver;

        @Override
        public Integer call() {
            if (rewritesLiveChains()) {
                // A pending rollback would undo its apply over whatever a switch wrote in between.
                new Confirmations(PendingConfirmation.of(new PendingConfirmation.Target(options.netns,
                        options.family())), processes, Main.class.getName()).refuseWhilePending();
            }
            try (Netns netns = options.namespace(processes)) {
                resolver = new NetnsValueResolver(netns);
                return run(new Stages(new SystemXtables(netns, waiting()), StandardExtensions.registry(),
                        NameDatabase.system()),
                        spec.commandLine().getOut());
            } catch (PlanException e) {
                throw new InputException(e.getMessage());
            } catch (ApplyException e) {
                throw new SystemException(e.getMessage());
            }
        }

        abstract int run(Stages stages, PrintWriter out) throws PlanException, ApplyException;

        /** How the command waits for other writers; the listing only reads, and never waits. */
        WriterLock.Waiting waiting() {
            return WriterLock.Waiting.standard();
        }

        /** Whether the command rewrites the chains packets pass; it then waits until a pending confirmation ends. */
        boolean rewritesLiveChains() {
            return false;
        }

        /** The outcome as JSON, or as one line led by {@code text}. */
        int report(Stages.Change outcome, String text, PrintWriter out) {
            if (options.json) {
                out.println(Json.document(new Report(outcome.family().name().toLowerCase(Locale.ROOT),
                        outcome.stage(), outcome.captured(), outcome.chains(), outcome.rules(), outcome.written(),
                        processes.started(), outcome.took().toMillis())));
            } else {
                out.printf("%s; %d process%s, %d ms%n", text, processes.started(),
                        processes.started() == 1 ? "" : "es", outcome.took().toMillis());
            }
            return ExitCode.OK;
        }
    }

    /** A command that writes the kernel: it waits for other writers as its --wait says, said on stderr. */
    abstract static class WritingStageCommand extends StageCommand {
        @Mixin
        WriterWait writerWait;

        @Override
        WriterLock.Waiting waiting() {
            return writerWait.waiting(spec.commandLine().getErr(), options.json);
        }
    }

    /**
     * What --json prints for stage, switch and unstage.
     *
     * @param captured the stage that received the previous ruleset at a first switch, or absent
     * @param chains   the stage chains written, as the kernel names them
     */
    record Report(String family, String stage, String captured, List<String> chains, int rules, boolean changed,
                  int processes, long milliseconds) {
    }

    @Command(name = "stage", mixinStandardHelpOptions = true,
            description = {"Load FILE as stage NAME next to the live ruleset, in chains of its own (RS.NAME.CHAIN)"
                    + " that no packet reaches until `switch NAME'. Staging NAME again replaces its chains"
                    + " atomically. One iptables-restore; live rules are not touched."})
    static final class Stage extends WritingStageCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "1 to 10 letters, digits, `_' or `-'.")
        String name;

        @Parameters(index = "1", paramLabel = "FILE", description = "A ruleset file (docs/language.md); its tables"
                + " for the family of -4/-6.")
        Path file;

        @Override
        int run(Stages stages, PrintWriter out) throws PlanException, ApplyException {
            DesiredState desired = RulesetFiles.desiredOf(file, options.family(), resolver,
                    spec.commandLine().getErr());
            Stages.Change outcome = stages.stage(name, desired);
            return report(outcome, "staged " + name + ": " + outcome.chains().size() + " chains, "
                    + outcome.rules() + " rules from " + file, out);
        }
    }

    @Command(name = "switch", mixinStandardHelpOptions = true,
            description = {"Make stage NAME the live ruleset: one iptables-restore replaces the hook rules of the"
                    + " live stage in every built-in chain and sets NAME's policies, so each packet sees one"
                    + " ruleset or the other. The previous stage stays loaded. The first switch moves what"
                    + " `apply' put into the built-in chains into a stage of its own (--previous)."})
    static final class Switch extends WritingStageCommand {

        @Override
        boolean rewritesLiveChains() {
            return true;
        }

        @Parameters(index = "0", paramLabel = "NAME", description = "A stage (see `rampart stages').")
        String name;

        @Option(names = "--previous", paramLabel = "NAME", defaultValue = Stages.DEFAULT_PREVIOUS,
                description = "The stage that receives the live ruleset when no stage is live yet"
                        + " (default: ${DEFAULT-VALUE}).")
        String previous;

        @Override
        int run(Stages stages, PrintWriter out) throws PlanException, ApplyException {
            Stages.Change outcome = stages.switchTo(options.family(), name, previous);
            String text = !outcome.written() ? name + " is already live"
                    : "switched to " + name + (outcome.captured() == null ? ""
                    : " (the previous ruleset is now stage " + outcome.captured() + ", " + outcome.rules()
                    + " rules)");
            return report(outcome, text, out);
        }
    }

    @Command(name = "unstage", mixinStandardHelpOptions = true,
            description = "Remove stage NAME, its chains and records. The live stage cannot be removed.")
    static final class Unstage extends WritingStageCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "A stage that is not live.")
        String name;

        @Override
        int run(Stages stages, PrintWriter out) throws PlanException, ApplyException {
            return report(stages.unstage(options.family(), name), "removed stage " + name, out);
        }
    }

    @Command(name = "stages", mixinStandardHelpOptions = true,
            description = {"List the stages: whether each is live, its chains, and the packets and bytes its hook"
                    + " rules let in since it last went live, per built-in chain. One iptables-save -c."})
    static final class ListStages extends StageCommand {

        /** What --json prints. */
        record Listing(String family, List<StageListing.Stage> stages) {
        }

        @Override
        int run(Stages stages, PrintWriter out) {
            List<StageListing.Stage> list = stages.list(options.family());
            if (options.json) {
                out.println(Json.document(new Listing(options.family().name().toLowerCase(Locale.ROOT),
                        list)));
                return ExitCode.OK;
            }
            if (list.isEmpty()) {
                out.println("no stages");
            }
            for (StageListing.Stage stage : list) {
                out.printf("%s%s: %d packets, %d bytes%n", stage.name(), stage.live() ? " (live)" : "",
                        stage.packets(), stage.bytes());
                for (StageListing.StageChain chain : stage.chains()) {
                    String builtin = chain.builtin() == null ? ""
                            : " for " + chain.builtin() + (chain.policy() == null ? "" : " (policy " + chain.policy()
                            + ")") + (chain.hooked() ? ": " + chain.packets() + " packets, " + chain.bytes()
                            + " bytes" : "");
                    out.printf("  %s %s: %d rule%s%s%n", chain.table().label(), chain.chain(), chain.rules(),
                            chain.rules() == 1 ? "" : "s", builtin);
                }
            }
            return ExitCode.OK;
        }
    }
}
