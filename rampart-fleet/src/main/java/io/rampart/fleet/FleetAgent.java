package io.rampart.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.api.Confirmations;
import io.rampart.api.PendingConfirmation;
import io.rampart.api.SafeApply;
import io.rampart.model.Failure;
import io.rampart.model.Family;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.ApplyException;
import io.rampart.reconcile.CheckedXtables;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.PlanException;
import io.rampart.reconcile.Reconciler;
import io.rampart.reconcile.Xtables;
import io.rampart.system.Netns;
import io.rampart.system.SystemException;
import io.rampart.system.agent.Agent;
import io.rampart.system.agent.AgentEvent;
import io.rampart.system.agent.InvalidFileException;
import io.rampart.system.agent.KernelWatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The agent in fleet mode: registers the host in etcd under a lease, follows the revision assigned to
 * it, and enforces it with the {@link Agent} (drift repaired as the agent repairs it), reporting each
 * state to {@code hosts/<name>/status}.
 *
 * <p>Everything the agent enforces is on local disk first, under its state directory:
 * {@code revisions/<id>/} holds each fetched bundle, {@code desired.rules} the file the agent
 * enforces (the host's values as definitions, then an include of the revision's main file, so
 * includes resolve inside the bundle), and {@code good.rules} the last one applied. A restart
 * without etcd enforces {@code good.rules}; etcd's absence is retried every second, and a broken
 * watch (etcd gone, or its revision compacted) leads to a fresh read and a new watch; every
 * {@link #RESYNC} everything is read again, for what a watch may have missed.
 *
 * <p>When the agent's own traffic passes the rules it manages ({@link SelfGuard}), a revision is
 * applied only if the host's connections to etcd, traced through the rules as they will be, get
 * through; and once applied, etcd must answer within the grace period, or the apply is rolled back
 * (the dead-man timer of {@code apply --confirm} stands behind the agent) and the revision before
 * stays enforced. Only a revision that passed is kept as {@code good.rules}.
 */
public final class FleetAgent {

    /** Reads a {@code desired.rules} through the language with the host's interfaces; errors as check prints them. */
    @FunctionalInterface
    public interface RulesetReader {
        DesiredState read(Path file) throws InvalidFileException;
    }

    /**
     * How the agent keeps its own way to etcd open, given when its traffic passes the rules it manages.
     *
     * @param grace how long etcd may take to answer after an apply before the apply is rolled back
     */
    public record SelfGuard(Netns netns, Confirmations confirmations, Duration grace) {

        /** The guard of an agent on {@code netns}; the timer is {@code mainClass} run as the rollback timer. */
        public static SelfGuard of(Netns netns, Family family, Duration grace, String mainClass) {
            return new SelfGuard(netns, new Confirmations(PendingConfirmation.of(new PendingConfirmation.Target(
                    netns.name().orElse(null), family)), netns.runner(), mainClass), grace);
        }

        /** Whether this process's own packets pass {@code netns}'s rules: it runs in that namespace. */
        public static boolean ownTrafficPasses(Netns netns) {
            return netns.name().isEmpty() || netns.identity().equals(Netns.host(netns.runner()).identity());
        }
    }

    /** How the host's registration outlives the agent; a killed agent is offline after this. */
    public static final long LEASE_SECONDS = 5;
    /** The default grace period after an apply for etcd to answer. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
    /** How often the assignment and the host's variables are read again whatever the watches said. */
    public static final Duration RESYNC = Duration.ofSeconds(60);
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final Duration DECIDE_BEFORE_DEADLINE = Duration.ofMillis(500);
    /** Why a repair of a rolled-back revision is not written while the one before is being restored. */
    private static final String AWAITING_PREVIOUS = "a revision that was rolled back is not written again;"
            + " the revision before it is being restored";
    private static final ObjectMapper JSON = new ObjectMapper();

    private enum Wake { STATUS, CHANGED, PLAN, BROKEN, STOP }

    private final EtcdStore store;
    private final String host;
    private final Map<String, String> labels;
    private final Path stateDir;
    private final RulesetReader reader;
    private final HostNames names;
    private final Reconciler reconciler;
    private final Reconciler planner;
    private final SelfGuard selfGuard;
    private final KernelWatch watch;
    private final Consumer<String> log;
    private final BlockingQueue<Wake> wake = new LinkedBlockingQueue<>();
    private final Object rewritten = new Object();
    private volatile boolean stopped;
    private volatile Agent agent;

    // What the host was told, what the kernel holds, and what went wrong; guarded by this.
    private String assignedText;
    private String appliedText;
    private String lastError;

    /** A reading of desired.rules: its text and what it says. */
    private record Read(String text, DesiredState state) {
    }

    // On the agent's thread: the reading an apply is about to write (null when it is a repair),
    // the one in force, the last that etcd was reached with, and one that was rolled back.
    private Read pendingRead;
    private Read enforcedRead;
    private String confirmedText;
    private String rolledBackText;
    private SafeApply safeApply;
    private Read safeApplyOf;
    private volatile boolean agentStarted;
    private String answeredPlan;

    /**
     * @param reader    reads a ruleset file, its names looked up in {@code names}
     * @param names     the names rules and the kernel's text are read with
     * @param kernel    the host's rules
     * @param selfGuard keeps the agent's way to etcd open; null when the agent's traffic does not pass the rules
     */
    public FleetAgent(EtcdStore store, String host, Map<String, String> labels, Path stateDir, RulesetReader reader,
                      HostNames names, Xtables kernel, KernelWatch watch, Consumer<String> log, SelfGuard selfGuard) {
        this.names = names;
        this.store = store;
        this.host = host;
        this.labels = Map.copyOf(labels);
        this.stateDir = stateDir;
        this.reader = reader;
        this.reconciler = new Reconciler(new CheckedXtables(kernel, this::aroundWrite), StandardExtensions.registry());
        this.planner = new Reconciler(kernel, StandardExtensions.registry());
        this.watch = watch;
        this.log = log;
        this.selfGuard = selfGuard;
    }

    /** The state directory of {@code host} by default. */
    public static Path defaultStateDir(String host) {
        return Path.of("/var/lib/rampart/fleet", host);
    }

    private Path desired() {
        return stateDir.resolve("desired.rules");
    }

    private Path good() {
        return stateDir.resolve("good.rules");
    }

    /** Runs until {@link #stop()}: first whatever is good on disk, then what etcd assigns. */
    public void run() throws InvalidFileException, PlanException, ApplyException, IOException {
        Files.createDirectories(stateDir.resolve("revisions"));
        if (Files.exists(good())) {
            confirmedText = Files.readString(good());
            replace(desired(), confirmedText);
        }
        Thread link = new Thread(this::followEtcd, "rampart fleet etcd");
        link.setDaemon(true);
        link.start();
        try {
            String refused = null;
            while (awaitReadable(refused)) {
                Agent started = new Agent(desired(), this::readDesired, names, reconciler, watch, this::heard);
                agent = started;
                if (stopped) {
                    return;
                }
                agentStarted = false;
                try {
                    started.run();
                    return;
                } catch (PlanException | ApplyException | SystemException e) {
                    if (agentStarted) {
                        throw e;
                    }
                    // The first apply failed, so nothing of it is enforced: report, and wait for another revision.
                    refused = Files.readString(desired());
                    failed(e.getMessage());
                    if (confirmedText != null && !confirmedText.equals(refused)) {
                        replace(desired(), confirmedText);
                    }
                }
            }
        } finally {
            stopped = true;
            wake.add(Wake.STOP);
            try {
                link.join(EtcdStore.TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Asks {@link #run()} to return; safe from any thread. */
    public void stop() {
        stopped = true;
        wake.add(Wake.STOP);
        Agent running = agent;
        if (running != null) {
            running.stop();
        }
        synchronized (rewritten) {
            rewritten.notifyAll();
        }
    }

    /**
     * Waits until {@code desired.rules} reads clean and is not {@code refused}; one that does not
     * read is reported and, when a good one is kept, replaced by it. False when stopped first.
     */
    private boolean awaitReadable(String refused) throws IOException {
        while (!stopped) {
            if (Files.exists(desired()) && !Files.readString(desired()).equals(refused)) {
                try {
                    readDesired();
                    return true;
                } catch (InvalidFileException e) {
                    failed(e.getMessage());
                    if (Files.exists(good()) && !Files.readString(good()).equals(Files.readString(desired()))) {
                        replace(desired(), Files.readString(good()));
                        continue;
                    }
                }
            }
            synchronized (rewritten) {
                try {
                    rewritten.wait(RETRY.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    private DesiredState readDesired() throws InvalidFileException {
        String text;
        try {
            text = Files.readString(desired());
        } catch (IOException e) {
            throw new InvalidFileException(desired() + ": cannot read: " + e.getMessage());
        }
        DesiredState state = reader.read(desired());
        Read read = new Read(text, state);
        Read enforced = enforcedRead;
        if (enforced != null && state.equals(enforced.state()) && !text.equals(enforced.text())) {
            // The agent applies nothing for it (a host sent back to the rules it still enforces): held as it is.
            held(read);
            pendingRead = null;
        } else {
            pendingRead = read;
        }
        return state;
    }

    /** The kernel holds {@code read}, which etcd was reached with: it is the good one, and the host's state is reported. */
    private void held(Read read) {
        enforcedRead = read;
        confirmedText = read.text();
        synchronized (this) {
            appliedText = read.text();
            try {
                replace(good(), appliedText);
            } catch (IOException e) {
                log.accept("cannot keep the good revision in " + good() + ": " + e.getMessage());
            }
            if (appliedText.equals(assignedText)) {
                lastError = null;
            }
        }
        wake.add(Wake.STATUS);
    }

    /**
     * Around each write: a reading etcd was reached with is written as it is; any other is traced
     * for the host's etcd connections and armed to roll back, when the agent guards itself.
     */
    private Xtables.RestoreResult aroundWrite(String saved, String script, Supplier<Xtables.RestoreResult> write) {
        Read applying = pendingRead != null ? pendingRead : enforcedRead;
        if (selfGuard == null || applying == null || applying.text().equals(confirmedText)) {
            return write.get();
        }
        if (applying.text().equals(rolledBackText)) {
            throw new SystemException(AWAITING_PREVIOUS);
        }
        if (safeApplyOf != applying) {
            safeApply = new SafeApply(selfGuard.confirmations(), selfGuard.grace(), null, store.connections(), names);
            safeApplyOf = applying;
        }
        try {
            return safeApply.around(applying.state(), selfGuard.netns()).around(saved, script, write);
        } catch (SystemException e) {
            throw e;
        } catch (Failure e) {
            throw new SystemException(e.getMessage()); // the agent reports a refused write as the kernel's
        }
    }

    private void heard(AgentEvent event) {
        if (AWAITING_PREVIOUS.equals(event.message())) {
            return; // the rolled-back revision's repair, refused while the revision before comes back
        }
        log.accept(event.kind().label() + (event.message() == null ? "" : ": " + event.message().lines().findFirst()
                .orElse("")));
        if (event.kind() == AgentEvent.Kind.STARTED || event.kind() == AgentEvent.Kind.STOPPED) {
            agentStarted = true;
            return;
        }
        // Every other event ends an apply or a repair.
        Read read = pendingRead != null ? pendingRead : enforcedRead;
        boolean kept = settle(event, read);
        pendingRead = null;
        synchronized (this) {
            switch (event.kind()) {
                case APPLIED -> {
                    if (kept) {
                        held(read);
                    }
                    return;
                }
                case REPAIRED -> {
                    if (appliedText != null && appliedText.equals(assignedText)) {
                        lastError = null;
                    }
                }
                case FILE_ERROR, KERNEL_REFUSED -> lastError = event.message();
                default -> {
                    return;
                }
            }
        }
        wake.add(Wake.STATUS);
    }

    /**
     * Ends the confirmation a write armed, if one did: kept when etcd answers within the grace period
     * after an apply, rolled back otherwise (or when the apply failed after writing), and then the
     * revision before is put back in desired.rules. True unless rolled back.
     */
    private boolean settle(AgentEvent event, Read read) {
        SafeApply armedBy = safeApply;
        safeApply = null;
        safeApplyOf = null;
        Optional<PendingConfirmation.State> armed = armedBy == null ? Optional.empty() : armedBy.armed();
        if (armed.isEmpty()) {
            return true;
        }
        Confirmations confirmations = selfGuard.confirmations();
        boolean applied = event.kind() == AgentEvent.Kind.APPLIED || event.kind() == AgentEvent.Kind.REPAIRED;
        // The agent decides a moment before the deadline, so that it, not the timer behind it, rolls back.
        Duration left = Duration.between(Instant.now(), armed.get().deadline()).minus(DECIDE_BEFORE_DEADLINE);
        if (applied && store.reachable(left, store.layout().assignment(host)) && confirmations.confirm().isPresent()) {
            log.accept("etcd answered after applying revision " + revisionOf(read.text()) + ": keeping it");
            return true;
        }
        String why = applied ? "etcd at " + store.endpoints() + " did not answer within "
                + selfGuard.grace().toSeconds() + " s of applying it" : "its apply failed after writing";
        try {
            confirmations.rollBack(why, armed.get().id());
        } catch (SystemException e) {
            log.accept("the rollback of revision " + revisionOf(read.text()) + " failed: " + e.getMessage());
        }
        rolledBackText = read.text();
        String message = "revision " + revisionOf(read.text()) + " was rolled back: " + why + "; the revision before"
                + " stays enforced";
        log.accept(message);
        synchronized (this) {
            lastError = message;
        }
        if (confirmedText != null) {
            try {
                replace(desired(), confirmedText);
            } catch (IOException e) {
                log.accept("cannot restore " + desired() + ": " + e.getMessage());
            }
        }
        wake.add(Wake.STATUS);
        return false;
    }

    private synchronized void failed(String error) {
        lastError = error;
        wake.add(Wake.STATUS);
    }

    /** The host's state now, from what it was told, what it applied, and what went wrong. */
    synchronized HostStatus status() {
        String revision = revisionOf(appliedText);
        String assigned = revisionOf(assignedText);
        HostStatus.State state;
        if (lastError != null) {
            state = appliedText != null && appliedText.equals(assignedText) ? HostStatus.State.DRIFTED
                    : HostStatus.State.FAILED;
        } else {
            state = appliedText != null && appliedText.equals(assignedText) ? HostStatus.State.CONVERGED
                    : HostStatus.State.APPLYING;
        }
        return HostStatus.now(host, revision, assigned, state, lastError);
    }

    private static String revisionOf(String wrapper) {
        if (wrapper == null) {
            return null;
        }
        String first = wrapper.lines().findFirst().orElse("");
        return first.substring(first.lastIndexOf(' ') + 1);
    }

    /** Keeps a session with etcd, and starts a new one whenever it breaks, until stopped. */
    private void followEtcd() {
        boolean reachable = true;
        while (!stopped) {
            try {
                session();
                reachable = true;
            } catch (RuntimeException e) {
                if (reachable) {
                    log.accept("etcd: " + e.getMessage() + "; enforcing what is on disk, retrying every "
                            + RETRY.toSeconds() + " s");
                }
                reachable = false;
            }
            try {
                if (wake.poll(RETRY.toMillis(), TimeUnit.MILLISECONDS) == Wake.STOP) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Registers, reads what is assigned, then follows changes until the session breaks or the agent stops. */
    private void session() {
        wake.clear();
        try (EtcdStore.Lease lease = store.lease(LEASE_SECONDS, () -> wake.add(Wake.BROKEN))) {
            store.put(store.layout().registration(host), registration(), lease);
            long revision = store.revision(store.layout().assignment(host), false);
            sync();
            report();
            answerPlan();
            try (AutoCloseable assignment = store.watch(store.layout().assignment(host), false, revision + 1,
                    () -> wake.add(Wake.CHANGED), () -> wake.add(Wake.BROKEN));
                 AutoCloseable vars = store.watch(store.layout().vars(host), true, revision + 1,
                         () -> wake.add(Wake.CHANGED), () -> wake.add(Wake.BROKEN));
                 AutoCloseable plans = store.watch(store.layout().planRequest(), false, revision + 1,
                         () -> wake.add(Wake.PLAN), () -> wake.add(Wake.BROKEN))) {
                while (!stopped) {
                    Wake next = wake.poll(RESYNC.toMillis(), TimeUnit.MILLISECONDS);
                    if (next == null) {
                        sync(); // what a watch may have missed
                        continue;
                    }
                    switch (next) {
                        case CHANGED -> sync();
                        case PLAN -> answerPlan();
                        case STATUS -> report();
                        case BROKEN, STOP -> {
                            return;
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Failure e) {
                throw e;
            } catch (Exception e) {
                throw new Failure(Failure.Category.SYSTEM, "etcd watch: " + e.getMessage());
            }
        }
    }

    private String registration() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("host", host);
        value.put("labels", labels);
        value.put("since", Instant.now().toString());
        return StoredJson.write(JSON, value, "a registration");
    }

    private void report() {
        store.put(store.layout().status(host), status().toJson());
    }

    /** Reads the assignment and the host's variables, fetches the revision, and rewrites desired.rules when it changed. */
    private void sync() {
        Optional<String> assigned = store.get(store.layout().assignment(host));
        if (assigned.isEmpty()) {
            return;
        }
        String id = assigned.get().strip();
        String text;
        try {
            text = wrapper(id);
        } catch (Failure e) {
            if (unreachable(e)) {
                throw e;
            }
            synchronized (this) {
                assignedText = HostExpansion.header(host, id);
            }
            failed(e.getMessage());
            return;
        }
        synchronized (this) {
            if (text.equals(assignedText)) {
                return;
            }
            assignedText = text;
            lastError = null;
        }
        log.accept("assigned revision " + id);
        try {
            replace(desired(), text);
        } catch (IOException e) {
            failed("cannot write " + desired() + ": " + e.getMessage());
            return;
        }
        synchronized (rewritten) {
            rewritten.notifyAll();
        }
        wake.add(Wake.STATUS);
    }

    /**
     * What the agent reads for revision {@code id}: the host's values as definitions, then an include
     * of the revision's main file, fetched into the state directory.
     */
    private String wrapper(String id) {
        return HostExpansion.text(host, fetch(id), HostExpansion.definitions(store, host, labels));
    }

    private static boolean unreachable(Failure e) {
        return e.category() == Failure.Category.SYSTEM && e.getMessage().startsWith("etcd at ");
    }

    /**
     * Answers the plan request, once, if it asks this host and is still awaited: the revision read
     * with the host's values and planned against its kernel, without applying anything.
     */
    private void answerPlan() {
        PlanRequest request = store.get(store.layout().planRequest()).map(PlanRequest::fromJson).orElse(null);
        if (request == null || request.id().equals(answeredPlan) || request.expired(Instant.now())
                || !request.selects(labels)) {
            return;
        }
        answeredPlan = request.id();
        Path file = stateDir.resolve("plan.rules");
        HostPlan answer;
        try {
            replace(file, wrapper(request.revision()));
            answer = new HostPlan(request.id(), host, request.revision(), planner.plan(reader.read(file)), null);
        } catch (PlanException e) {
            answer = new HostPlan(request.id(), host, request.revision(), null, file + ": " + e.getMessage());
        } catch (Failure e) {
            if (unreachable(e)) {
                throw e;
            }
            answer = new HostPlan(request.id(), host, request.revision(), null, e.getMessage());
        } catch (IOException e) {
            answer = new HostPlan(request.id(), host, request.revision(), null, "cannot write " + file + ": "
                    + e.getMessage());
        }
        log.accept("planned revision " + request.revision() + (answer.error() == null ? "" : ": it fails here"));
        store.put(store.layout().plan(host), answer.toJson());
    }

    /**
     * The revision {@code id}, from local disk when fetched before, else from etcd, written to disk:
     * its files in {@code revisions/<id>/}, then, last, the revision itself in {@code revisions/<id>.json}.
     */
    private Revision fetch(String id) {
        Path revisions = stateDir.resolve("revisions");
        Path dir = revisions.resolve(id);
        Path stored = revisions.resolve(id + ".json");
        String key = store.layout().revision(id);
        try {
            if (Files.exists(stored)) {
                return Revision.fromJson(stored.toString(), Files.readString(stored));
            }
            String json = store.get(key).orElseThrow(() -> new Failure(Failure.Category.INPUT,
                    "assigned revision " + id + " is not published"));
            Revision revision = Revision.fromJson(key, json);
            Path partial = Files.createTempDirectory(revisions, id + ".partial");
            revision.bundle().writeTo(partial);
            removeTree(dir); // left by a fetch that ended before its .json was written
            Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
            replace(stored, json);
            return revision;
        } catch (IOException e) {
            throw new Failure(Failure.Category.SYSTEM, "cannot keep revision " + id + " in " + dir + ": "
                    + e.getMessage());
        }
    }

    /** Removes {@code dir} and everything in it; nothing when it is null or not there. */
    static void removeTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** Replaces {@code file} in one rename, so a reader sees the old text or the new, never half. */
    private static void replace(Path file, String text) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(temp, text);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
