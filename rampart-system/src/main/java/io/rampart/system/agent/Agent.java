package io.rampart.system.agent;

import io.rampart.model.extension.HostNames;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.ApplyException;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.KernelView;
import io.rampart.reconcile.Plan;
import io.rampart.reconcile.PlanException;
import io.rampart.reconcile.Reconciler;
import io.rampart.system.SystemException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps the kernel converged to a ruleset file: applies it at start, re-applies it when the file
 * or anything it includes changes, and repairs drift when the kernel's rules change. Every sync goes through the
 * {@link Reconciler}, planned on a {@link KernelView} the agent keeps: the kernel's change events
 * say which chains to list again, and after a write only the chains it named are listed. The whole
 * kernel is read at start, when an event names no chain for certain, after a write that did not go
 * as planned, and every {@link #FULL_READ_INTERVAL} to catch whatever else was missed; on legacy
 * iptables, which has no events, at every poll.
 *
 * <p>{@link #run()} blocks on the calling thread until {@link #stop()} is called from another.
 */
public final class Agent {

    /** Why the loop wakes up, and how long it waits for the burst to end before acting. */
    private enum Trigger {
        /** A change in the kernel; a restore is a burst of events within a few milliseconds. */
        KERNEL(30),
        /** The file was written; editors write, rename and remove within a short while. */
        FILE(50),
        /** The polling interval passed (legacy iptables). */
        POLL(0),
        /** The monitor process ended; a moment's wait lets a Ctrl-C that hit it too stop the agent first. */
        MONITOR_ENDED(500),
        STOP(0);

        private final long quietMillis;

        Trigger(long quietMillis) {
            this.quietMillis = quietMillis;
        }
    }

    /** However long a burst lasts, the agent acts after this long: a busy host still gets repaired. */
    private static final long MAX_WAIT_MILLIS = 1_000;
    /** How often a full read checks, with events, that none was missed. */
    static final Duration FULL_READ_INTERVAL = Duration.ofMinutes(10);

    private final Path file;
    private final DesiredFile desiredFile;
    private final Reconciler reconciler;
    private final KernelWatch watch;
    private final Consumer<AgentEvent> listener;
    private final SyncStats stats;
    private final BlockingQueue<Trigger> triggers = new LinkedBlockingQueue<>();
    private volatile String monitorEnded;
    private DesiredState enforced;
    private FileWatcher files;
    private volatile KernelView view;
    private final InPlaceEdits edits;

    /**
     * @param file        the ruleset file, watched for changes
     * @param desiredFile reads that file
     * @param names       the names that file's rules are read with, for lines changed in place
     * @param listener    hears every event, on the agent's thread
     */
    public Agent(Path file, DesiredFile desiredFile, HostNames names, Reconciler reconciler, KernelWatch watch,
                 Consumer<AgentEvent> listener) {
        this(file, desiredFile, names, reconciler, watch, listener, SyncStats.inMemory());
    }

    /** An agent that records its syncs in {@code stats}, for {@code rampart serve}'s metrics. */
    public Agent(Path file, DesiredFile desiredFile, HostNames names, Reconciler reconciler, KernelWatch watch,
                 Consumer<AgentEvent> listener, SyncStats stats) {
        this.file = file;
        this.desiredFile = desiredFile;
        this.edits = new InPlaceEdits(StandardExtensions.registry(), names);
        this.reconciler = reconciler;
        this.watch = watch;
        this.listener = listener;
        this.stats = stats;
    }

    /**
     * Applies the file and keeps the kernel converged to it until {@link #stop()}. Failures of the
     * first apply are thrown, as nothing is enforced yet; later ones are reported as events and the
     * last good state stays enforced.
     *
     * @throws SystemException when the kernel's monitor ends on its own
     */
    @SuppressWarnings("try") // the watchers work through their callbacks and only need closing
    public void run() throws InvalidFileException, PlanException, ApplyException {
        // Watching starts before reading, so a change in between is not missed.
        try (FileWatcher watcher = FileWatcher.start(Set.of(file), () -> triggers.add(Trigger.FILE))) {
            files = watcher;
            enforced = read();
            view = reconciler.view(enforced.family());
            try (KernelMonitor monitor = startMonitor()) {
                Reconciler.Applied first = reconciler.apply(enforced, view);
                stats.applied(first.took(), Instant.now());
                emit(AgentEvent.Kind.STARTED, null, watch.describe());
                emit(AgentEvent.Kind.APPLIED, first.plan(), null);
                loop();
            }
        }
        stats.remove(); // a stopped agent syncs no more; one that failed leaves its last sync for alerts
        emit(AgentEvent.Kind.STOPPED, null, null);
    }

    /** Asks {@link #run()} to stop the monitor and return; safe from any thread, also before it started. */
    public void stop() {
        triggers.add(Trigger.STOP);
    }

    private KernelMonitor startMonitor() {
        if (watch instanceof KernelWatch.Events events) {
            return KernelMonitor.watch(events.netns(), events.family(), change -> {
                        if (change instanceof KernelMonitor.Change.OfChain chain) {
                            view.changed(chain.table(), chain.chain());
                        } else {
                            view.uncertain();
                        }
                        triggers.add(Trigger.KERNEL);
                    }, message -> {
                        monitorEnded = message;
                        triggers.add(Trigger.MONITOR_ENDED);
                    });
        }
        return null;
    }

    private void loop() {
        try {
            while (true) {
                Set<Trigger> pending = nextBurst();
                if (pending.contains(Trigger.STOP)) {
                    return;
                }
                if (pending.contains(Trigger.MONITOR_ENDED)) {
                    throw new SystemException(monitorEnded + "; the kernel is no longer watched");
                }
                boolean synced = pending.contains(Trigger.FILE) && reload();
                if (!synced && (pending.contains(Trigger.KERNEL) || pending.contains(Trigger.POLL))) {
                    repair();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for a trigger, then gathers the ones that follow until it is quiet for the triggers' time. */
    private Set<Trigger> nextBurst() throws InterruptedException {
        Duration fullRead = watch instanceof KernelWatch.Polling polling ? polling.interval() : FULL_READ_INTERVAL;
        Trigger first = triggers.poll(fullRead.toMillis(), TimeUnit.MILLISECONDS);
        if (first == null) {
            view.uncertain();
        }
        Set<Trigger> pending = EnumSet.of(first == null ? Trigger.POLL : first);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MILLIS);
        while (!pending.contains(Trigger.STOP)) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            long quiet = Math.min(left, pending.stream().mapToLong(t -> t.quietMillis).max().orElse(0));
            Trigger next = quiet > 0 ? triggers.poll(quiet, TimeUnit.MILLISECONDS) : triggers.poll();
            if (next == null || left <= 0) {
                break;
            }
            pending.add(next);
        }
        return pending;
    }

    /**
     * Applies the changed file; returns whether the kernel was synced. A few rule lines changed in
     * place are applied first without reading the whole file ({@link InPlaceEdits}); the full
     * reading follows either way and has the last word: when it finds an error, the last good
     * version is enforced again.
     */
    private boolean reload() {
        DesiredState lastGood = enforced;
        boolean quick = edits.after(enforced).map(next -> enforce(next, false)).orElse(false);
        DesiredState next;
        try {
            next = read();
        } catch (InvalidFileException e) {
            emit(AgentEvent.Kind.FILE_ERROR, null, e.getMessage());
            return quick && enforce(lastGood, false);
        }
        if (next.equals(enforced)) {
            return quick; // touched, or saved unchanged: kernel events cover drift
        }
        return enforce(next, quick) || quick;
    }

    /**
     * Applies {@code next} and enforces it from then on; returns whether it was applied.
     *
     * @param quietWhenUnchanged no event when nothing had to be written (the quick way wrote it already)
     */
    private boolean enforce(DesiredState next, boolean quietWhenUnchanged) {
        try {
            Reconciler.Applied applied = reconciler.apply(next, view);
            enforced = next;
            stats.applied(applied.took(), Instant.now());
            if (applied.written() || !quietWhenUnchanged) {
                emit(AgentEvent.Kind.APPLIED, applied.plan(), null);
            }
            return true;
        } catch (PlanException e) {
            emit(AgentEvent.Kind.FILE_ERROR, null, file + ": " + e.getMessage());
        } catch (ApplyException | SystemException e) {
            emit(AgentEvent.Kind.KERNEL_REFUSED, null, e.getMessage());
        }
        return false;
    }

    /**
     * Reads the file, and from then on watches what this reading depended on, also when it failed;
     * their text is kept for {@link InPlaceEdits}.
     */
    private DesiredState read() throws InvalidFileException {
        try {
            return desiredFile.read();
        } finally {
            Set<Path> watched = new HashSet<>(desiredFile.inputs());
            watched.add(file);
            files.watch(watched);
            edits.remember(watched);
        }
    }

    /** Brings the kernel back to the enforced state; silent when it already holds it. */
    private void repair() {
        try {
            Reconciler.Applied applied = reconciler.apply(enforced, view);
            if (applied.written()) {
                stats.repaired(applied.took(), Instant.now());
                emit(AgentEvent.Kind.REPAIRED, applied.plan(), null);
            } else {
                stats.inSync(Instant.now());
            }
        } catch (PlanException e) {
            emit(AgentEvent.Kind.FILE_ERROR, null, file + ": " + e.getMessage());
        } catch (ApplyException | SystemException e) {
            emit(AgentEvent.Kind.KERNEL_REFUSED, null, e.getMessage());
        }
    }

    private void emit(AgentEvent.Kind kind, Plan plan, String message) {
        listener.accept(new AgentEvent(kind, Instant.now(), plan, message));
    }
}
