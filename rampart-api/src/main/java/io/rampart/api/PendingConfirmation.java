package io.rampart.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.model.Failure;
import io.rampart.model.Family;
import io.rampart.model.Policy;
import io.rampart.model.Table;
import io.rampart.reconcile.Plan;
import io.rampart.system.LockFile;
import io.rampart.system.SystemException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * An apply that rolls back unless confirmed, kept on disk so that any shell, and the rollback
 * timer in its own session, find it: one root-only directory per namespace and family under
 * {@value #ROOT}, holding the live ruleset before the apply, the applied plan and the deadline.
 * The directory exists exactly while the confirmation is pending; creating it is what reserves it.
 */
public final class PendingConfirmation {

    public static final String ROOT = "/run/rampart/confirm";

    private static final String BEFORE = "before.rules";
    private static final String PLAN = "plan.json";
    private static final String STATE = "pending.properties";
    private static final String TIMER_PID = "timer.pid";
    private static final String ROLLBACK_FAILED = "rollback-failed.txt";
    private static final FileAttribute<Set<PosixFilePermission>> ROOT_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    /**
     * The plan's JSON mapper, made when a plan is first written or read: every apply asks whether
     * a confirmation is pending, and most never write one (Jackson's start is a few percent of a
     * 10,000-rule apply).
     */
    private static final class PlanJson {
        static final ObjectMapper MAPPER = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    /** Whose rules: a namespace (null for the host's own) and a family. */
    public record Target(String netns, Family family) {

        public Target {
            if (netns != null && (netns.isEmpty() || netns.contains("/") || netns.startsWith("."))) {
                throw new Failure(Failure.Category.INPUT, "--netns: `" + netns + "' is no namespace name");
            }
        }

        /** The directory name: one pending confirmation per namespace and family. */
        String key() {
            return (netns == null ? "host" : "netns-" + netns) + (family == Family.IPV4 ? ".ipv4" : ".ipv6");
        }

        /** The options that name this target on a command line, e.g. {@code " --netns web1 -6"}. */
        public String flags() {
            return (netns == null ? "" : " --netns " + netns) + (family == Family.IPV6 ? " -6" : "");
        }

        public String describe() {
            return (family == Family.IPV4 ? "IPv4" : "IPv6") + " rules of "
                    + (netns == null ? "this host" : "namespace " + netns);
        }
    }

    /**
     * What the pending apply was: its id (the timer's), when it rolls back (null until its write is in
     * force: the window counts from then), the file applied, the window, the identity of the namespace
     * it was armed for (null for the host's own) and the process that armed it.
     */
    public record State(String id, Instant deadline, String source, Duration window, String namespace,
                        long armedBy) {

        /** This state once its write is in force: the deadline is one window after {@code written}. */
        State inForceAt(Instant written) {
            return new State(id, written.plus(window), source, window, namespace, armedBy);
        }
    }

    private final Path root;
    private final Target target;

    PendingConfirmation(Path root, Target target) {
        this.root = root;
        this.target = target;
    }

    /**
     * Gets the writing of a plan ready on a thread of its own, to run while the apply reads and plans:
     * the first use of the JSON mapper loads and inspects the plan's types, which would otherwise
     * delay the write of an apply that awaits confirmation by a few hundred milliseconds.
     */
    static void prepareRecording() {
        Thread thread = new Thread(() -> {
            try {
                PlanJson.MAPPER.writeValueAsString(new Plan(Family.IPV4, "", List.of(new Plan.ChainChange(Table.FILTER,
                        "INPUT", Plan.Action.UPDATE, Policy.ACCEPT, Policy.ACCEPT, List.of(new Plan.RuleChange(
                        Plan.RuleChange.Kind.ADDED, 1, "-A INPUT", null, false, null)))), "", List.of(), List.of()));
            } catch (IOException e) {
                // the real recording reports what is wrong
            }
        }, "prepare confirmation");
        thread.setDaemon(true);
        thread.start();
    }

    public static PendingConfirmation of(Target target) {
        return new PendingConfirmation(Path.of(ROOT), target);
    }

    public Target target() {
        return target;
    }

    private Path dir() {
        return root.resolve(target.key());
    }

    /** The log of what timers did for this target; kept after the confirmation ends. */
    public Path log() {
        return root.resolve(target.key() + ".log");
    }

    /** The refusal of confirm and rollback when nothing is pending: the user expected something, so input. */
    public Failure nothingPending() {
        return new Failure(Failure.Category.INPUT, "nothing awaits confirmation for the " + target.describe());
    }

    /** How a confirmation ended, as the API's events name it. */
    public enum Ending {
        CONFIRMED("confirmed"), ROLLED_BACK("rolled-back");

        private final String event;

        Ending(String event) {
            this.event = event;
        }

        public String event() {
            return event;
        }
    }

    /** Records how the confirmation ended, before it is removed, so that whoever sees it gone can tell. */
    void recordEnding(Ending ending) {
        Path file = root.resolve(target.key() + ".ended");
        Path next = root.resolve(target.key() + ".ended.new");
        try {
            Files.writeString(next, ending.name());
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new SystemException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** How the last confirmation of this target ended; rolled back when none was recorded. */
    public Ending lastEnding() {
        Path file = root.resolve(target.key() + ".ended");
        try {
            return Ending.valueOf(Files.readString(file).strip());
        } catch (NoSuchFileException e) {
            return Ending.ROLLED_BACK;
        } catch (IOException | IllegalArgumentException e) {
            throw new SystemException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code action} holding this target's lock, so that confirm, rollback and the timer take
     * turns, and so do two threads of one server.
     */
    <T> T locked(Supplier<T> action) {
        try {
            makeRoot();
        } catch (IOException e) {
            throw new SystemException("cannot create " + root + ": " + e.getMessage(), e);
        }
        try (LockFile.Held held = LockFile.of(root.resolve(target.key() + ".lock")).acquire(null, holder -> { })
                .orElseThrow()) {
            return action.get();
        }
    }

    /** Reserves the target for a new pending confirmation; refused while one is pending. */
    void reserve() {
        try {
            makeRoot();
            Files.createDirectory(dir(), ROOT_ONLY);
        } catch (FileAlreadyExistsException e) {
            throw alreadyPending();
        } catch (IOException e) {
            throw new SystemException("cannot create " + dir() + ": " + e.getMessage(), e);
        }
    }

    /** The refusal while a confirmation is pending, saying how to end it, and when its timer is dead, why. */
    SystemException alreadyPending() {
        String when = state().map(s -> timer().isEmpty()
                ? ", but its rollback timer no longer runs, so nothing rolls it back by itself" + lastFailure()
                : s.deadline() == null ? " (its apply is writing)"
                : " (it rolls back at " + s.deadline().truncatedTo(ChronoUnit.SECONDS) + ")").orElse("");
        return new SystemException("an apply of the " + target.describe() + " awaits confirmation" + when
                + ": run `rampart confirm" + target.flags() + "' to keep it or `rampart rollback" + target.flags()
                + "' to undo it first");
    }

    /** Why the last rollback of the pending confirmation failed, as {@code " (rollback failed: ...)"}; empty if none did. */
    private String lastFailure() {
        try {
            return " (rollback failed: " + Files.readString(dir().resolve(ROLLBACK_FAILED)).strip() + ")";
        } catch (IOException e) {
            return ""; // none recorded: nothing more to say
        }
    }

    /**
     * Records why a rollback of the pending confirmation failed, so that whoever finds it pending
     * with no timer left can say why; it goes with the confirmation when that ends.
     */
    void recordRollbackFailure(String message) {
        Path next = dir().resolve(ROLLBACK_FAILED + ".new");
        try {
            Files.writeString(next, message);
            Files.move(next, dir().resolve(ROLLBACK_FAILED), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new SystemException("cannot write " + dir().resolve(ROLLBACK_FAILED) + ": " + e.getMessage(), e);
        }
    }

    /** The timer process of the pending confirmation while it runs (a reused process id is not taken for it). */
    Optional<ProcessHandle> timer() {
        return timerPid().flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
                .filter(process -> process.info().arguments().map(args -> Arrays.asList(args)
                        .contains(Confirmations.TIMER)).orElse(false));
    }

    boolean exists() {
        return Files.isDirectory(dir());
    }

    /** Writes what rollback needs; the directory must be reserved. */
    void record(State state, String before, Plan plan) {
        try {
            Files.writeString(dir().resolve(BEFORE), before);
            Files.writeString(dir().resolve(PLAN), PlanJson.MAPPER.writeValueAsString(plan));
        } catch (IOException e) {
            throw new SystemException("cannot write " + dir() + ": " + e.getMessage(), e);
        }
        update(state);
    }

    /** Replaces the recorded state at once: the timer, reading without the lock, sees the old or the new. */
    void update(State state) {
        Properties properties = new Properties();
        properties.setProperty("id", state.id());
        if (state.deadline() != null) {
            properties.setProperty("deadline", state.deadline().toString());
        }
        properties.setProperty("source", state.source());
        properties.setProperty("window", state.window().toString());
        if (state.namespace() != null) {
            properties.setProperty("namespace", state.namespace());
        }
        properties.setProperty("armedBy", Long.toString(state.armedBy()));
        Path next = dir().resolve(STATE + ".new");
        try {
            try (var out = Files.newBufferedWriter(next)) {
                properties.store(out, null);
            }
            Files.move(next, dir().resolve(STATE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new SystemException("cannot write " + dir().resolve(STATE) + ": " + e.getMessage(), e);
        }
    }

    /** The pending state; empty when none is pending (or, read without the lock, while it is recorded). */
    Optional<State> state() {
        Properties properties = new Properties();
        try (var in = Files.newBufferedReader(dir().resolve(STATE))) {
            properties.load(in);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new SystemException("cannot read " + dir().resolve(STATE) + ": " + e.getMessage(), e);
        }
        String deadline = properties.getProperty("deadline");
        return Optional.of(new State(properties.getProperty("id"), deadline == null ? null : Instant.parse(deadline),
                properties.getProperty("source"), Duration.parse(properties.getProperty("window", "PT0S")),
                properties.getProperty("namespace"), Long.parseLong(properties.getProperty("armedBy", "0"))));
    }

    String before() {
        return read(BEFORE);
    }

    Plan plan() {
        try {
            return PlanJson.MAPPER.readValue(read(PLAN), Plan.class);
        } catch (IOException e) {
            throw new SystemException("cannot read the applied plan in " + dir() + ": " + e.getMessage(), e);
        }
    }

    /** The timer records its own process id, so that confirm can stop it. */
    void recordTimer(long pid) {
        try {
            Files.writeString(dir().resolve(TIMER_PID), Long.toString(pid));
        } catch (IOException e) {
            throw new SystemException("cannot write " + dir().resolve(TIMER_PID) + ": " + e.getMessage(), e);
        }
    }

    Optional<Long> timerPid() {
        try {
            return Optional.of(Long.parseLong(Files.readString(dir().resolve(TIMER_PID)).strip()));
        } catch (IOException | NumberFormatException e) {
            // Not written yet: the timer has not started, and finds no state when it does.
            return Optional.empty();
        }
    }

    /** Ends the pending confirmation: the directory goes, so no timer acts on it any more. */
    void remove() {
        if (!exists()) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir())) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new SystemException("cannot remove " + dir() + ": " + e.getMessage(), e);
        }
    }

    private String read(String name) {
        try {
            return Files.readString(dir().resolve(name));
        } catch (IOException e) {
            throw new SystemException("cannot read " + dir().resolve(name) + ": " + e.getMessage(), e);
        }
    }

    private void makeRoot() throws IOException {
        if (!Files.isDirectory(root)) {
            Files.createDirectories(root, ROOT_ONLY);
        }
    }
}
