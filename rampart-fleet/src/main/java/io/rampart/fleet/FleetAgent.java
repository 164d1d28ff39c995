package io.rampart.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.model.Failure;
import io.rampart.reconcile.ApplyException;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.PlanException;
import io.rampart.reconcile.Reconciler;
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
 * watch (etcd gone, or its revision compacted) leads to a fresh read and a new watch.
 */
public final class FleetAgent {

    /** Reads a {@code desired.rules} through the language with the host's interfaces; errors as check prints them. */
    @FunctionalInterface
    public interface RulesetReader {
        DesiredState read(Path file) throws InvalidFileException;
    }

    /** How long the host's registration outlives the agent; a killed agent is offline after this. */
    public static final long LEASE_SECONDS = 5;
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final String HEADER = "# rampart fleet: host %s, revision %s\n";
    private static final ObjectMapper JSON = new ObjectMapper();

    private enum Wake { STATUS, CHANGED, BROKEN, STOP }

    private final EtcdStore store;
    private final String host;
    private final Map<String, String> labels;
    private final Path stateDir;
    private final RulesetReader reader;
    private final Reconciler reconciler;
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
    private String lastReadText;
    // What the last read and the last apply made of their texts: a text that reads as what is applied is held already.
    private DesiredState lastReadState;
    private DesiredState appliedState;

    public FleetAgent(EtcdStore store, String host, Map<String, String> labels, Path stateDir, RulesetReader reader,
                      Reconciler reconciler, KernelWatch watch, Consumer<String> log) {
        this.store = store;
        this.host = host;
        this.labels = Map.copyOf(labels);
        this.stateDir = stateDir;
        this.reader = reader;
        this.reconciler = reconciler;
        this.watch = watch;
        this.log = log;
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
            replace(desired(), Files.readString(good()));
        }
        Thread link = new Thread(this::followEtcd, "rampart fleet etcd");
        link.setDaemon(true);
        link.start();
        try {
            if (awaitReadable()) {
                Agent started = new Agent(desired(), this::readDesired, reconciler, watch, this::heard);
                agent = started;
                if (!stopped) {
                    started.run();
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
     * Waits until {@code desired.rules} reads clean; one that does not is reported and, when a good
     * one is kept, replaced by it. False when stopped first.
     */
    private boolean awaitReadable() throws IOException {
        while (!stopped) {
            if (Files.exists(desired())) {
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
        synchronized (this) {
            lastReadText = text;
            lastReadState = state;
            if (state.equals(appliedState) && !text.equals(appliedText)) {
                // The agent applies nothing for it (a host sent back to the rules it still enforces): held as it is.
                held(text);
            }
        }
        return state;
    }

    private void heard(AgentEvent event) {
        log.accept(event.kind().label() + (event.message() == null ? "" : ": " + event.message().lines().findFirst()
                .orElse("")));
        synchronized (this) {
            switch (event.kind()) {
                case APPLIED -> {
                    appliedState = lastReadState;
                    held(lastReadText);
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

    /** The kernel holds {@code text}: it is the good one, and the host's state is reported. */
    private synchronized void held(String text) {
        appliedText = text;
        try {
            replace(good(), appliedText);
        } catch (IOException e) {
            log.accept("cannot keep the good revision in " + good() + ": " + e.getMessage());
        }
        if (appliedText.equals(assignedText)) {
            lastError = null;
        }
        wake.add(Wake.STATUS);
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
            long revision = store.revision();
            sync();
            report();
            try (AutoCloseable assignment = store.watch(store.layout().assignment(host), false, revision + 1,
                    () -> wake.add(Wake.CHANGED), () -> wake.add(Wake.BROKEN));
                 AutoCloseable vars = store.watch(store.layout().vars(host), true, revision + 1,
                         () -> wake.add(Wake.CHANGED), () -> wake.add(Wake.BROKEN))) {
                while (!stopped) {
                    Wake next = wake.take();
                    switch (next) {
                        case CHANGED -> sync();
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
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a registration is always JSON", e);
        }
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
            Revision revision = fetch(id);
            Map<String, String> vars = new LinkedHashMap<>();
            String varsPrefix = store.layout().vars(host);
            store.list(varsPrefix).forEach((key, value) -> vars.put(key.substring(varsPrefix.length()), value));
            text = String.format(HEADER, host, id) + HostValues.definitions(labels, vars)
                    + "include \"revisions/" + id + "/" + revision.bundle().main() + "\"\n";
        } catch (Failure e) {
            if (e.category() == Failure.Category.SYSTEM && e.getMessage().startsWith("etcd at ")) {
                throw e;
            }
            synchronized (this) {
                assignedText = String.format(HEADER, host, id);
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

    private static void removeTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
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
