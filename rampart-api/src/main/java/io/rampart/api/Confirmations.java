package io.rampart.api;

import io.rampart.api.PendingConfirmation.State;
import io.rampart.model.Failure;
import io.rampart.reconcile.Plan;
import io.rampart.reconcile.Rollback;
import io.rampart.reconcile.Xtables;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import io.rampart.system.SystemException;
import io.rampart.system.SystemXtables;
import io.rampart.system.WriterLock;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What apply --confirm, confirm, rollback and the rollback timer do with a pending confirmation.
 * The timer is a second Rampart process in a session of its own: it sleeps until the deadline and
 * then rolls back unless the confirmation ended, so a dropped terminal or a killed shell cannot stop it.
 */
public final class Confirmations {

    /** The hidden command the timer process runs. */
    public static final String TIMER = "rollback-timer";

    /** How often the timer looks whether the apply's write is in force. */
    private static final long WRITE_POLL_MILLIS = 10;

    private final PendingConfirmation pending;
    private final ProcessRunner runner;
    private final String mainClass;
    private final WriterLock.Waiting waiting;
    /** The failure last written to the log as it was thrown, so the timer does not log it twice. */
    private Failure logged;

    /**
     * @param mainClass the class whose {@code main} runs the {@value #TIMER} command, started with this
     *                  process's java and class path
     */
    public Confirmations(PendingConfirmation pending, ProcessRunner runner, String mainClass) {
        this(pending, runner, mainClass, WriterLock.Waiting.standard());
    }

    /** With {@code waiting}: how long a rollback waits for the writers' lock, and who hears that it waits. */
    public Confirmations(PendingConfirmation pending, ProcessRunner runner, String mainClass,
                         WriterLock.Waiting waiting) {
        this.pending = pending;
        this.runner = runner;
        this.mainClass = mainClass;
        this.waiting = waiting;
    }

    /**
     * Prepares the rollback of an apply that is about to write: records the kernel's state, the plan
     * and the namespace's identity, and starts the timer without waiting for it. The window begins
     * when the write is in force ({@link #writeArmed}), which the timer waits for. Refused while
     * another confirmation is pending.
     */
    State arm(String id, Duration window, String source, String saved, Plan plan) {
        String namespace = pending.target().netns() == null ? null : Netns.identity(pending.target().netns())
                .orElseThrow(() -> new SystemException("network namespace `" + pending.target().netns()
                        + "' does not exist (ip netns list)"));
        // Reserved and recorded in one turn of the lock: others see all of it or nothing.
        State state = pending.locked(() -> {
            pending.reserve();
            try {
                State recorded = new State(id, null, source, window, namespace, ProcessHandle.current().pid());
                pending.record(recorded, saved, plan);
                pending.recordTimer(runner.startDetached(timerCommand(id), pending.log()));
                return recorded;
            } catch (RuntimeException e) {
                pending.remove();
                throw e;
            }
        });
        return state;
    }

    /** Before an apply that will await confirmation reads the kernel: gets what arming needs ready meanwhile. */
    public void prepareArming() {
        PendingConfirmation.prepareRecording();
    }

    /** Refuses (exit 4) while a confirmation is pending, saying how to end it. */
    public void refuseWhilePending() {
        if (pending.exists()) {
            throw pending.alreadyPending();
        }
    }

    /** Whether the confirmation {@code id} is still pending. */
    public boolean isPending(String id) {
        return pending.state().filter(s -> s.id().equals(id)).isPresent();
    }

    /** Keeps the applied rules: ends the confirmation and stops its timer. Empty when none is pending. */
    public Optional<State> confirm() {
        return pending.locked(() -> {
            Optional<State> state = pending.state();
            if (state.isEmpty()) {
                pending.remove(); // what a killed apply may leave: reserved, never recorded
                return state;
            }
            stopTimer();
            // Recorded first: whoever sees the confirmation gone finds how it ended.
            log("confirmed: keeping " + state.get().source());
            pending.recordEnding(PendingConfirmation.Ending.CONFIRMED);
            pending.remove();
            return state;
        });
    }

    /** An armed write: how the kernel took it and, when it did, the confirmation with its deadline. */
    record ArmedWrite(Xtables.RestoreResult result, State state) {
    }

    /**
     * Writes an armed apply holding the lock, so that its timer cannot roll back half-way, and starts
     * the window once the rules are in force; when the kernel refuses the write, nothing changed and
     * the confirmation ends with its timer.
     */
    ArmedWrite writeArmed(String id, Supplier<Xtables.RestoreResult> write) {
        return pending.locked(() -> {
            Optional<State> armed = pending.state().filter(s -> s.id().equals(id));
            if (armed.isEmpty()) {
                throw new SystemException("the confirmation window ended before the apply could write (see "
                        + pending.log() + "); nothing was changed");
            }
            Xtables.RestoreResult result = write.get();
            if (!result.ok()) {
                stopTimer();
                pending.remove();
                return new ArmedWrite(result, null);
            }
            Instant written = Instant.now();
            State inForce = armed.get().inForceAt(written);
            pending.update(inForce);
            log("applied " + inForce.source() + ": in force at " + written + "; rolls back at " + inForce.deadline()
                    + " unless confirmed");
            return new ArmedWrite(result, inForce);
        });
    }

    /**
     * Rolls back now, if a confirmation is pending (and is {@code onlyId}'s, when given). A kernel
     * refusal leaves it pending, so that rollback can be retried.
     */
    public Optional<State> rollBack(String why, String onlyId) {
        // The writers' lock first, as an apply takes it before the confirmation's: never the other way round.
        try (Xtables.Hold held = writersHold()) {
            return pending.locked(() -> rollBackHeld(why, onlyId));
        }
    }

    /** The writers' lock of the target's rules; none when its namespace is gone, which the rollback then reports. */
    private Xtables.Hold writersHold() {
        PendingConfirmation.Target target = pending.target();
        try {
            Netns netns = target.netns() == null ? Netns.host(runner) : Netns.existing(target.netns(), runner);
            return new SystemXtables(netns, waiting).hold(target.family());
        } catch (SystemException gone) {
            return () -> { };
        }
    }

    private Optional<State> rollBackHeld(String why, String onlyId) {
        Optional<State> state = pending.state();
        if (state.isEmpty() && onlyId == null) {
            pending.remove(); // what a killed apply may leave: reserved, never recorded
        }
        if (state.isEmpty() || onlyId != null && !state.get().id().equals(onlyId)) {
            return Optional.empty();
        }
        PendingConfirmation.Target target = pending.target();
        checkSameNamespace(state.get());
        try (Netns netns = target.netns() == null ? Netns.host(runner) : Netns.existing(target.netns(), runner)) {
            Xtables kernel = new SystemXtables(netns, waiting);
            String now = kernel.save(target.family());
            String script = Rollback.script(pending.plan(), pending.before(), now);
            if (!script.isEmpty()) {
                Xtables.RestoreResult result = kernel.restore(target.family(), script);
                if (!result.ok()) {
                    String message = "the kernel refused the rollback of " + state.get().source() + ": "
                            + result.message().strip().lines().findFirst().orElse("") + "; it stays pending:"
                            + " `rampart rollback" + target.flags() + "' retries, `rampart confirm"
                            + target.flags() + "' keeps the rules as they are";
                    throw new SystemException(message);
                }
            }
        } catch (SystemException e) {
            log("rollback failed: " + e.getMessage());
            pending.recordRollbackFailure(e.getMessage());
            logged = e;
            throw e;
        }
        stopTimer();
        // recorded before it is cleared, so a watcher that sees it gone reads how it ended
        log("rolled back " + state.get().source() + ": " + why);
        pending.recordEnding(PendingConfirmation.Ending.ROLLED_BACK);
        pending.remove();
        return state;
    }

    /**
     * Ends a confirmation whose namespace is gone or was made again under its name since the apply:
     * the rules it would roll back went with the old namespace, and the new one is none of its business.
     */
    private void checkSameNamespace(State state) {
        String name = pending.target().netns();
        if (name == null || state.namespace() == null) {
            return;
        }
        Optional<String> now = Netns.identity(name);
        if (now.isPresent() && now.get().equals(state.namespace())) {
            return;
        }
        stopTimer();
        pending.remove();
        String message = (now.isEmpty()
                ? "network namespace " + name + " no longer exists: the rules the apply of " + state.source()
                + " changed went with it"
                : "network namespace " + name + " was deleted and made again since the apply of " + state.source()
                + ": the namespace of that name now is another one, and its rules are not the ones the apply changed")
                + "; nothing was rolled back and the pending confirmation is cleared. Apply the rules you want to "
                + (now.isEmpty() ? "the namespace when it is made again" : "the new namespace")
                + " (rampart apply" + pending.target().flags() + " FILE)";
        log("rollback abandoned: " + message);
        SystemException abandoned = new SystemException(message);
        logged = abandoned;
        throw abandoned;
    }

    /**
     * The timer's life: waits for the deadline, then rolls back unless its confirmation ended. Its
     * output is the log, every line of it stamped: whatever fails is logged there, then thrown, and
     * the caller has only its exit code left to give.
     */
    public void runTimer(String id) {
        try {
            timerLife(id);
        } catch (Failure failed) {
            if (failed != logged) {
                log("timer " + ProcessHandle.current().pid() + " failed: " + failed.getMessage());
            }
            throw failed;
        }
    }

    private void timerLife(String id) {
        Optional<State> started = pending.locked(() -> {
            Optional<State> state = pending.state().filter(s -> s.id().equals(id));
            state.ifPresent(s -> pending.recordTimer(ProcessHandle.current().pid()));
            return state;
        });
        Optional<State> inForce = started.flatMap(this::awaitWrite);
        if (inForce.isEmpty()) {
            return;
        }
        log("timer " + ProcessHandle.current().pid() + ": rolls back " + inForce.get().source() + " at "
                + inForce.get().deadline() + " unless confirmed");
        try {
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), inForce.get().deadline()).toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rollBack("not confirmed by " + inForce.get().deadline(), id);
    }

    /**
     * The confirmation once its write is in force, so that it has a deadline; empty when it ended
     * first (the write was refused, or it was confirmed or rolled back). An apply that died before
     * the deadline was set may have written: the window then counts from when that is seen.
     */
    private Optional<State> awaitWrite(State armed) {
        while (true) {
            Optional<State> state = pending.state().filter(s -> s.id().equals(armed.id()));
            if (state.isEmpty() || state.get().deadline() != null) {
                return state;
            }
            if (ProcessHandle.of(armed.armedBy()).filter(ProcessHandle::isAlive).isEmpty()) {
                return pending.locked(() -> pending.state().filter(s -> s.id().equals(armed.id())).map(s -> {
                    if (s.deadline() != null) {
                        return s;
                    }
                    State counted = s.inForceAt(Instant.now());
                    pending.update(counted);
                    log("the apply of " + s.source() + " ended before it said whether its write is in force:"
                            + " the window counts from now");
                    return counted;
                }));
            }
            try {
                Thread.sleep(WRITE_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /** Appends to the target's log and, when {@code logger} is there, to syslog. */
    void log(String message) {
        String line = Instant.now() + " " + pending.target().key() + ": " + message + "\n";
        try {
            Files.writeString(pending.log(), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // syslog below still has it
        }
        try {
            runner.run(List.of("logger", "-t", "rampart", pending.target().key() + ": " + message), "");
        } catch (SystemException e) {
            // no logger on this system: the log file has it
        }
    }

    /** Stops the pending confirmation's timer, unless that is this process. */
    private void stopTimer() {
        long self = ProcessHandle.current().pid();
        pending.timer().filter(process -> process.pid() != self).ifPresent(ProcessHandle::destroy);
    }

    /** This program again, as the timer: the same java and class path, the hidden timer command. */
    private List<String> timerCommand(String id) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-Xmx64m", "-cp", classPath,
                mainClass, TIMER, "--id", id));
        PendingConfirmation.Target target = pending.target();
        if (target.netns() != null) {
            command.addAll(List.of("--netns", target.netns()));
        }
        command.add(target.family().marker());
        return command;
    }
}
