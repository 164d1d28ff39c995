package io.rampart.api;

import io.rampart.api.PendingConfirmation.State;
import io.rampart.api.PendingConfirmation.Target;
import io.rampart.model.Failure;
import io.rampart.model.Family;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.Plan;
import io.rampart.reconcile.PlanException;
import io.rampart.reconcile.Reconciler;
import io.rampart.reconcile.Xtables;
import io.rampart.system.Backend;
import io.rampart.system.CountingRunner;
import io.rampart.system.EarlySave;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import io.rampart.system.SystemXtables;
import io.rampart.system.WriterLock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * plan, apply and status of a desired state on one namespace (or the host), and confirm and
 * rollback of an apply awaiting confirmation: the use cases the command line and the HTTP API both
 * run, so that both plan, refuse and guard alike. The front ends read the desired state (a file, a
 * request's text), and print or answer what comes back.
 */
public final class Reconciliation implements AutoCloseable {

    /**
     * What makes an apply safe.
     *
     * @param window        how long the apply waits for confirmation before it rolls back; null for none
     * @param sshConnection the {@code SSH_CONNECTION} whose session must survive the apply; null skips the check
     * @param timerMain     the class whose {@code main} runs the {@value Confirmations#TIMER} command; null
     *                      refuses a window
     * @param waiting       how the write waits for another writer of the same rules
     * @param beforeKernel  what must hold for the desired state before the kernel is read (apply's
     *                      {@code --expect}); it throws to refuse the apply
     */
    public record Safety(Duration window, String sshConnection, String timerMain, WriterLock.Waiting waiting,
                         Consumer<DesiredState> beforeKernel) {

        public Safety {
            if (window != null && timerMain == null) {
                throw new Failure(Failure.Category.USAGE, "this server cannot start a rollback timer: apply without"
                        + " confirm");
            }
        }

        /** With the standard wait for other writers and nothing to check first. */
        public Safety(Duration window, String sshConnection, String timerMain) {
            this(window, sshConnection, timerMain, WriterLock.Waiting.standard(), desired -> { });
        }
    }

    /**
     * What an apply did: the reconciler's account of it, the iptables backend it wrote with
     * ({@code nf_tables} or {@code legacy}), and the confirmation it armed while that is pending.
     */
    public record Applied(Reconciler.Applied applied, String backend, Optional<State> armed) {
    }

    private final String netnsName;
    private final CountingRunner processes;
    private final Netns netns;
    private final HostNames names;
    private Optional<EarlySave> early = Optional.empty();
    private boolean writerAhead;
    /** The dump a check of the no-op memo took ahead, served to the apply that follows it (the memo did not hold). */
    private String takenAhead;
    private Family takenFamily;
    private FirstDump lastApply;

    private Reconciliation(String netnsName, CountingRunner processes, HostNames names) {
        this.netnsName = netnsName;
        this.processes = processes;
        this.names = names;
        this.netns = netnsName == null ? Netns.host(processes) : Netns.existing(netnsName, processes);
    }

    /**
     * The rules of namespace {@code netns} (null for the host's own), its processes counted from now
     * on; the kernel's text, which the lockout guard traces, is read with {@code names}.
     */
    public static Reconciliation open(String netns, ProcessRunner runner, HostNames names) {
        return new Reconciliation(netns, new CountingRunner(runner), names);
    }

    /** The namespace, for reading the desired state's apply-time values in it. */
    public Netns netns() {
        return netns;
    }

    /** How many processes have been started since {@link #open}. */
    public int processes() {
        return processes.started();
    }

    /**
     * Starts reading {@code family}'s rules from the kernel now, so that the dump runs while the
     * caller reads its ruleset; the next plan, status or apply of that family uses it. For an apply
     * ({@code writer}) only when no other writer holds the writers' lock, which is then held from
     * now until {@link #close}, so that nobody writes between this read and the apply's write.
     */
    public void readAhead(Family family, boolean writer) {
        early.ifPresent(EarlySave::close);
        early = writer ? EarlySave.writing(netns, family) : Optional.of(EarlySave.reading(netns, family));
        writerAhead = writer && early.isPresent();
        takenAhead = null;
        takenFamily = null;
    }

    /**
     * The dump of {@code family} read ahead under the writers' lock, for a check of the no-op memo
     * before the file is read; an apply that follows plans on it. Empty when it was not read so.
     */
    Optional<String> writersDumpAhead(Family family) {
        if (!writerAhead) {
            return Optional.empty();
        }
        Optional<String> dump = early.flatMap(ahead -> ahead.take(family));
        dump.ifPresent(taken -> {
            takenAhead = taken;
            takenFamily = family;
        });
        return dump;
    }

    /** The dump the last {@link #apply} of this reconciliation planned first on; empty before one read it. */
    Optional<String> lastApplyPlannedOn() {
        return lastApply == null ? Optional.empty() : lastApply.first();
    }

    /**
     * The no-op apply of a desired state known to be in force ({@link NoopMemo}): nothing planned
     * nor written, refused as {@link #apply} is while an apply of the same rules awaits confirmation.
     *
     * @param warnings what the kernel's dump warned about
     * @param started  when the apply started, by {@link System#nanoTime}
     */
    Applied unchanged(Family family, String source, List<String> warnings, long started) {
        new Confirmations(PendingConfirmation.of(target(family)), processes, null).refuseWhilePending();
        Plan empty = new Plan(family, source, List.of(), "", List.of(), warnings);
        return new Applied(new Reconciler.Applied(empty, false, Duration.ofNanos(System.nanoTime() - started), "", 0),
                Backend.detect(family).label(), Optional.empty());
    }

    /** What applying {@code desired} would change now. */
    public Plan plan(DesiredState desired) {
        try {
            return reconciler(new SystemXtables(netns, WriterLock.Waiting.standard(), early)).plan(desired);
        } catch (PlanException e) {
            throw located(desired, e);
        }
    }

    /** Whether the kernel holds {@code desired}, and what differs. */
    public StatusResult status(DesiredState desired) {
        return StatusResult.of(plan(desired));
    }

    /**
     * Brings the kernel to {@code desired}: one iptables-restore, and only when something differs,
     * behind the lockout guard and, with a window, the rollback armed around the write. Refused while
     * an apply of the same rules awaits confirmation.
     */
    public Applied apply(DesiredState desired, Safety safety) {
        safety.beforeKernel().accept(desired);
        Confirmations confirmations = new Confirmations(PendingConfirmation.of(target(desired.family())), processes,
                safety.timerMain());
        confirmations.refuseWhilePending();
        if (safety.window() != null) {
            confirmations.prepareArming();
        }
        SafeApply safe = new SafeApply(confirmations, safety.window(), safety.sshConnection(), names);
        boolean ahead = takenFamily == desired.family();
        lastApply = new FirstDump(new SystemXtables(netns, safety.waiting(), early), desired.family(),
                ahead ? takenAhead : null);
        if (ahead) {
            takenAhead = null;
            takenFamily = null;
        }
        try {
            Reconciler.Applied applied = reconciler(safe.guard(lastApply, desired, netns)).apply(desired);
            return new Applied(applied, Backend.detect(desired.family()).label(), safe.armed());
        } catch (PlanException e) {
            throw located(desired, e);
        }
    }

    /** When the other iptables backend has tables here too, which the apply neither sees nor manages: why. */
    public Optional<String> otherBackendWarning(Family family) {
        return Optional.ofNullable(Backend.detect(family).otherBackendWarning(netns, family));
    }

    /** Keeps the rules of the apply awaiting confirmation: its rollback timer stops. */
    public static State confirm(Target target, ProcessRunner runner) {
        PendingConfirmation pending = PendingConfirmation.of(target);
        return new Confirmations(pending, runner, null).confirm()
                .orElseThrow(pending::nothingPending);
    }

    /** Rolls the apply awaiting confirmation back now, to the rules before it; {@code why} goes to its log. */
    public static State rollback(Target target, String why, ProcessRunner runner, WriterLock.Waiting waiting) {
        PendingConfirmation pending = PendingConfirmation.of(target);
        return new Confirmations(pending, runner, null, waiting).rollBack(why, null)
                .orElseThrow(pending::nothingPending);
    }

    private Target target(Family family) {
        return new Target(netnsName, family);
    }

    private static Reconciler reconciler(Xtables kernel) {
        return new Reconciler(kernel, StandardExtensions.registry());
    }

    /** A plan that cannot be made names the ruleset it was made for. */
    private static PlanException located(DesiredState desired, PlanException e) {
        return new PlanException(desired.source() + ": " + e.getMessage());
    }

    @Override
    public void close() {
        early.ifPresent(EarlySave::close);
        netns.close();
    }
}
