package io.rampart.api;

import io.rampart.api.PendingConfirmation.State;
import io.rampart.reconcile.Plan;
import io.rampart.reconcile.Rollback;
import io.rampart.reconcile.Xtables;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import io.rampart.system.SystemException;
import io.rampart.system.SystemXtables;
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

    /** How long apply waits for the timer to report that it runs, before giving up without writing. */
    private static final Duration TIMER_START = Duration.ofSeconds(30);

    private final PendingConfirmation pending;
    private final ProcessRunner runner;
    private final String mainClass;

    /**
     * @param mainClass the class whose {@code main} runs the {@value #TIMER} command, started with this
     *                  process's java and class path
     */
    public Confirmations(PendingConfirmation pending, ProcessRunner runner, String mainClass) {
        this.pending = pending;
        this.runner = runner;
        this.mainClass = mainClass;
    }

    /**
     * Prepares the rollback of an apply that is about to write: records the kernel's state and
     * the plan, and starts the timer. Refused while another confirmation is pending.
     */
    State arm(String id, Duration wait, String source, String saved, Plan plan) {
        // Reserved and recorded in one turn of the lock: others see all of it or nothing.
        State state = pending.locked(() -> {
            pending.reserve();
            try {
                State recorded = new State(id, Instant.now().plus(wait), source);
                pending.record(recorded, saved, plan);
                return recorded;
            } catch (RuntimeException e) {
                pending.remove();
                throw e;
            }
        });
        try {
            runner.startDetached(timerCommand(id), pending.log());
            awaitTimer(id);
            return state;
        } catch (RuntimeException e) {
            pending.locked(() -> {
                pending.remove();
                return null;
            });
            throw e;
        }
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

    /** Keeps the applied rules: ends the confirmation and stops its timer. False when none is pending. */
    public boolean confirm() {
        return pending.locked(() -> {
            Optional<State> state = pending.state();
            if (state.isEmpty()) {
                pending.remove(); // what a killed apply may leave: reserved, never recorded
                return false;
            }
            stopTimer();
            pending.remove();
            log("confirmed: keeping " + state.get().source());
            return true;
        });
    }

    /**
     * Writes an armed apply holding the lock, so that its timer cannot roll back half-way; when
     * the kernel refuses it, nothing changed and the confirmation ends with its timer.
     */
    Xtables.RestoreResult writeArmed(String id, Supplier<Xtables.RestoreResult> write) {
        return pending.locked(() -> {
            if (!isPending(id)) {
                throw new SystemException("the confirmation window ended before the apply could write (see "
                        + pending.log() + "); nothing was changed");
            }
            Xtables.RestoreResult result = write.get();
            if (!result.ok()) {
                stopTimer();
                pending.remove();
            }
            return result;
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
            return new SystemXtables(netns).hold(target.family());
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
        try (Netns netns = target.netns() == null ? Netns.host(runner) : Netns.existing(target.netns(), runner)) {
            Xtables kernel = new SystemXtables(netns);
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
            throw e;
        }
        stopTimer();
        pending.remove();
        log("rolled back " + state.get().source() + ": " + why);
        return state;
    }

    /** The timer's life: waits for the deadline, then rolls back unless its confirmation ended. */
    public int runTimer(String id) {
        Optional<State> started = pending.locked(() -> {
            Optional<State> state = pending.state().filter(s -> s.id().equals(id));
            state.ifPresent(s -> pending.recordTimer(ProcessHandle.current().pid()));
            return state;
        });
        if (started.isEmpty()) {
            return 0;
        }
        log("timer " + ProcessHandle.current().pid() + ": rolls back " + started.get().source() + " at "
                + started.get().deadline() + " unless confirmed");
        try {
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), started.get().deadline()).toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            rollBack("not confirmed by " + started.get().deadline(), id);
            return 0;
        } catch (SystemException e) {
            return ApiException.SYSTEM;
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

    private void awaitTimer(String id) {
        Instant giveUp = Instant.now().plus(TIMER_START);
        while (pending.timerPid().isEmpty()) {
            if (Instant.now().isAfter(giveUp)) {
                throw new SystemException("the rollback timer did not start within " + TIMER_START.toSeconds()
                        + " s (see " + pending.log() + "); nothing was changed");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SystemException("interrupted while starting the rollback timer " + id);
            }
        }
    }

    /** Stops the pending confirmation's timer, unless that is this process. */
    private void stopTimer() {
        long self = ProcessHandle.current().pid();
        pending.timerPid().filter(pid -> pid != self).flatMap(ProcessHandle::of)
                .filter(process -> process.info().arguments().map(args -> Arrays.asList(args).contains(TIMER))
                        .orElse(false))
                .ifPresent(ProcessHandle::destroy);
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
