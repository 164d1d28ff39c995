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
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Keeps the kernel converged to a ruleset file: applies it at start, re-applies it when the file
 * or anything it includes changes, and repairs drift when the kernel's rules change. Every sync goes through the
 * {@link Reconciler}, planned on a {@link KernelView} the agent keeps: the kernel's change events
 * say which chains to list again, and the plan covers only those and the chains the file changed.
 * The events end each transaction with the process that made it, so the agent's own writes are
 * taken from their scripts and list nothing; on legacy iptables, which has no events, the chains a
 * write named are listed. The whole kernel is read at start, when an event names no chain for
 * certain, after a write that did not go as planned, and every {@link #FULL_READ_INTERVAL} to catch
 * whatever else was missed; on legacy iptables at every poll.
 *
 * <p>The file is read through the language on a thread of its own. A few rule lines changed in
 * place go to the kernel without it ({@link InPlaceEdits}); the full reading follows once the file
 * has been quiet for {@link #READ_QUIET}, and has the last word.
 *
 * <p>{@link #run()} blocks on the calling thread until {@link #stop()} is called from another.
 */
public final class Agent {

    /** Why the loop wakes up, and how long it waits for the burst to end before acting. */
    private enum Trigger {
        /** A change in the kernel; a restore is a burst of events within a few milliseconds. */
        KERNEL(30),
        /**
         * The end of another program's transaction: its changes are all told, so the agent waits
         * only for a next transaction that follows at once (a script of iptables commands does not
         * come faster than a process each).
         */
        COMMITTED(5),
        /**
         * The file was written. An editor's save is one rename, or a create and its writes, well
         * within a millisecond; a copy of 10 MB writes for a few. 20 ms also covers a writer
         * descheduled on a busy host, and is most of a one-rule change's wait otherwise.
         */
        FILE(20),
        /** The polling interval passed (legacy iptables). */
        POLL(0),
        /** The monitor process ended; a moment's wait lets a Ctrl-C that hit it too stop the agent first. */
        MONITOR_ENDED(500),
        /** A full reading of the file, started after a quick change, has finished. */
        FILE_READ(0),
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
    /**
     * How long the file stays unchanged after a quick change before it is read in full. A reading
     * of 100,000 rules takes seconds of CPU and allocates hundreds of megabytes, whose collection
     * stops the agent's thread too (pauses of 0.1 to 1 s were seen at that size): edits in a row,
     * and the repairs between them, should not each pay for it.
     */
    static final Duration READ_QUIET = Duration.ofSeconds(10);

    private final Path file;
    private final DesiredFile desiredFile;
    private final Reconciler reconciler;
    private final KernelWatch watch;
    private final Consumer<AgentEvent> listener;
    private final SyncStats stats;
    private final BlockingQueue<Trigger> triggers = new LinkedBlockingQueue<>();
    private volatile String monitorEnded;
    /** What the kernel is kept to: the last full reading, or that with rule lines changed in place. */
    private DesiredState enforced;
    /** The last full reading without errors, whose bytes {@link #edits} remembers; shares its chains with {@link #enforced}. */
    private DesiredState lastRead;
    private FileWatcher files;
    private volatile KernelView view;
    private final InPlaceEdits edits;
    /** Changes of the file seen so far: a full reading started before the last one is out of date. */
    private final AtomicLong fileChanges = new AtomicLong();
    private final ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(work -> {
        Thread thread = new Thread(work, "ruleset reader");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicReference<Reading> finished = new AtomicReference<>();
    private ScheduledFuture<?> pendingRead;
    private final Duration readQuiet;

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
        this(file, desiredFile, names, reconciler, watch, listener, stats, READ_QUIET);
    }

    /** An agent that reads the file in full once it has been quiet for {@code readQuiet} after a quick change. */
    Agent(Path file, DesiredFile desiredFile, HostNames names, Reconciler reconciler, KernelWatch watch,
          Consumer<AgentEvent> listener, SyncStats stats, Duration readQuiet) {
        this.readQuiet = readQuiet;
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
        try (FileWatcher watcher = FileWatcher.start(Set.of(file), () -> {
            fileChanges.incrementAndGet();
            triggers.add(Trigger.FILE);
        })) {
            files = watcher;
            enforced = taken(readNow());
            view = reconciler.view(enforced.family());
            try (KernelMonitor monitor = startMonitor()) {
                Reconciler.Applied first = reconciler.apply(enforced, view);
                stats.applied(first.took(), Instant.now());
                emit(AgentEvent.Kind.STARTED, null, watch.describe());
                emit(AgentEvent.Kind.APPLIED, first.plan(), null);
                loop();
            }
        } finally {
            reader.shutdownNow();
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
            view.attributing();
            // Every line of the family's tables wakes the agent, in case the end of its transaction never comes.
            return KernelMonitor.watch(events.netns(), events.family(), change -> {
                        Trigger look = Trigger.KERNEL;
                        if (change instanceof KernelMonitor.Change.OfChain chain) {
                            view.changed(chain.table(), chain.chain());
                        } else if (change instanceof KernelMonitor.Change.RuleDeleted deleted) {
                            view.deleted(deleted.table(), deleted.chain(), deleted.handle());
                        } else if (change instanceof KernelMonitor.Change.Committed committed) {
                            look = view.committed(committed.process()) ? Trigger.COMMITTED : null;
                        } else if (change instanceof KernelMonitor.Change.Uncertain) {
                            view.changedSomewhere();
                        } else {
                            view.uncertain();
                        }
                        if (look != null) {
                            triggers.add(look);
                        }
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
                if (pending.contains(Trigger.FILE_READ) && !pending.contains(Trigger.FILE)) {
                    synced |= settle();
                }
                if (!synced && (pending.contains(Trigger.KERNEL) || pending.contains(Trigger.COMMITTED)
                        || pending.contains(Trigger.POLL))) {
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
            if (next == Trigger.COMMITTED) {
                pending.remove(Trigger.KERNEL); // the lines before the end are its transaction's
            }
            pending.add(next);
        }
        return pending;
    }

    /**
     * Applies the changed file; returns whether the kernel was synced. A few rule lines changed in
     * place are applied without reading the whole file ({@link InPlaceEdits}), and the full reading
     * is left until the file is quiet ({@link #settle}); any other change is read in full now. When
     * the full reading finds an error, the last good version is enforced.
     */
    private boolean reload() {
        cancelPendingRead();
        Optional<DesiredState> quick = edits.after(lastRead);
        if (quick.isPresent()) {
            DesiredState next = quick.get();
            if (next != lastRead) {
                pendingRead = reader.schedule(this::readInBackground, readQuiet.toMillis(), TimeUnit.MILLISECONDS);
            }
            return next != enforced && enforce(next, false);
        }
        return adopt(readNow());
    }

    /** Takes the full reading made in the background, unless the file changed since it began. */
    private boolean settle() {
        Reading reading = finished.getAndSet(null);
        return reading != null && reading.fileChangesBefore() == fileChanges.get() && adopt(reading);
    }

    /** Enforces what a full reading found, or the last good state when it found an error. */
    private boolean adopt(Reading reading) {
        DesiredState next;
        try {
            next = taken(reading);
        } catch (InvalidFileException e) {
            emit(AgentEvent.Kind.FILE_ERROR, null, e.getMessage());
            return enforced != lastRead && enforce(lastRead, false);
        }
        return enforce(next, true);
    }

    private void cancelPendingRead() {
        if (pendingRead != null) {
            pendingRead.cancel(false);
            pendingRead = null;
        }
        finished.set(null);
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
     * A full reading of the file, on the reader's thread.
     *
     * @param state            what it read; null when it found an error
     * @param error            the error it found, or null
     * @param watched          what the reading depended on, the file among them: watched from then on
     * @param contents          the bytes of those files, as before and after the reading alike
     * @param fileChangesBefore the changes of the file seen when it began
     */
    private record Reading(DesiredState state, InvalidFileException error, Set<Path> watched,
                           Map<Path, byte[]> contents, long fileChangesBefore) {
    }

    private void readInBackground() {
        finished.set(reading());
        triggers.add(Trigger.FILE_READ);
    }

    /**
     * Reads the file through the language. The text of what it depends on is taken before and after:
     * when it changed in between, what was read may be of neither, and the next change reads again.
     */
    private Reading reading() {
        long changesBefore = fileChanges.get();
        Set<Path> before = new HashSet<>(desiredFile.inputs());
        before.add(file);
        Map<Path, byte[]> contentsBefore = InPlaceEdits.contentsOf(before);
        DesiredState state = null;
        InvalidFileException error = null;
        try {
            state = desiredFile.read();
        } catch (InvalidFileException e) {
            error = e;
        }
        Set<Path> watched = new HashSet<>(desiredFile.inputs());
        watched.add(file);
        Map<Path, byte[]> contents = InPlaceEdits.contentsOf(watched);
        if (contentsBefore.entrySet().stream().anyMatch(e -> !Arrays.equals(e.getValue(), contents.get(e.getKey())))) {
            contents.clear(); // nothing to compare a quick change with: the next change is read in full
        }
        return new Reading(state, error, watched, contents, changesBefore);
    }

    /** A reading made now, on the reader's thread. */
    private Reading readNow() {
        try {
            return reader.submit(this::reading).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the reading of " + file + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + file, e);
        }
    }

    /**
     * What a reading found, and from then on watches what it depended on, also when it failed; the
     * text of a good reading is kept for {@link InPlaceEdits}.
     */
    private DesiredState taken(Reading reading) throws InvalidFileException {
        files.watch(reading.watched());
        if (reading.error() != null) {
            throw reading.error();
        }
        lastRead = reading.state();
        edits.remember(reading.contents(), reading.watched());
        return reading.state();
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
