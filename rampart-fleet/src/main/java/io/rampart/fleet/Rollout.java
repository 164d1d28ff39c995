package io.rampart.fleet;

import io.rampart.model.Failure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The rollout's controller: moves the selected hosts to a revision wave by wave by writing their
 * assignments, and lets a wave pass only when each of its hosts reports that revision applied and
 * healthy within the deadline and stays so through the bake. More failures than allowed halt the
 * rollout and return that wave's hosts to the revisions they held before.
 *
 * <p>Everything it knows is in {@code rollout/state}, and every change to it is written in one
 * transaction with the assignments it makes, only while the state is as the controller read it
 * and its {@link ControllerLock} is still held. So {@code fleet halt} (which writes the state
 * alone) stops a running controller at its next look, a killed controller leaves a state that
 * {@code fleet resume} continues, and two controllers never act at once.
 */
public final class Rollout {

    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(2);
    private static final Duration POLL = Duration.ofMillis(200);
    /** How long etcd may stay unreachable while a rollout runs; then it stops, and resume continues later. */
    private static final Duration ETCD_OUTAGE = Duration.ofSeconds(30);
    /** Long enough for the lock of a controller that is gone to end. */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(ControllerLock.LEASE_SECONDS + 2);

    /** What {@code fleet rollout} asks for. */
    public record Request(String revision, Map<String, String> select, Waves waves, Duration bake, Duration deadline,
                          int maxFailures) {
    }

    /**
     * How a command ended: the rollout's state, and whether every host it waited for got where it
     * was sent (false also when it halted).
     */
    public record Ended(RolloutState state, boolean complete) {
    }

    /**
     * What must hold for the revision before a rollout writes anything, judged on what the selected hosts
     * would read (a host's values change what the revision says on it).
     */
    @FunctionalInterface
    public interface Precondition {
        /** No condition. */
        Precondition NONE = (revision, expansions) -> { };

        /**
         * Throws a {@link Failure} to refuse the rollout.
         *
         * @param expansions each distinct expansion of the revision, a file as the agent reads it (the host's
         *                   values, then the revision's main file included beside it), with the hosts that read it
         */
        void check(String revision, Map<Path, List<String>> expansions);
    }

    /** The state as read, with the mod revision a write over it must find. */
    private record Read(RolloutState state, long modRevision) {
    }

    /** What became of the hosts a wait was for: the ones that failed, with why; or stopped by someone else. */
    private record Waited(Map<String, String> failed, Read stoppedBy) {
    }

    private final EtcdStore store;
    private final StoreLayout layout;
    private final String who;
    private final Consumer<String> progress;

    /**
     * @param who      the user and machine, for the lock and the state
     * @param progress hears one line per step as it happens
     */
    public Rollout(EtcdStore store, String who, Consumer<String> progress) {
        this.store = store;
        this.layout = store.layout();
        this.who = who;
        this.progress = progress;
    }

    /** The current (or last) rollout, if there was one. */
    public static Optional<RolloutState> current(EtcdStore store) {
        return store.get(store.layout().rollout()).map(json -> RolloutState.fromJson(store.layout().rollout(), json));
    }

    /** Starts a rollout and drives it to its end; bad input is refused before anything is written. */
    public Ended start(Request request) {
        return start(request, Precondition.NONE);
    }

    /**
     * Starts a rollout once {@code precondition} holds for the selected hosts' expansions of the revision,
     * and drives it to its end; bad input, or a refusal, is refused before anything is written.
     */
    public Ended start(Request request, Precondition precondition) {
        if (store.get(layout.revision(request.revision())).isEmpty()) {
            throw new Failure(Failure.Category.INPUT, "revision " + request.revision()
                    + " is not published (`rampart fleet publish' prints the id)");
        }
        readState().ifPresent(this::refuseUnfinished);
        FleetView fleet = FleetView.read(store);
        List<String> selected = fleet.hosts().stream()
                .filter(host -> host.state() != HostStatus.State.OFFLINE && host.matches(request.select()))
                .map(FleetView.Host::name).toList();
        if (selected.isEmpty()) {
            long registered = fleet.hosts().stream().filter(host -> host.state() != HostStatus.State.OFFLINE).count();
            throw new Failure(Failure.Category.INPUT, (request.select().isEmpty() ? "no host"
                    : "--select " + labels(request.select()) + " matches none of the " + registered + " host(s)")
                    + " registered; nothing was rolled out");
        }
        if (precondition != Precondition.NONE) {
            checkExpansions(request.revision(), selected, fleet, precondition);
        }
        List<List<String>> plan = request.waves().split(selected);
        Map<String, RolloutState.HostOutcome> hosts = new LinkedHashMap<>();
        for (String name : selected) {
            FleetView.Host host = fleet.host(name).orElseThrow();
            hosts.put(name, new RolloutState.HostOutcome(host.revision() != null ? host.revision() : host.assigned(),
                    RolloutState.Outcome.PENDING, null));
        }
        Instant now = Instant.now();
        RolloutState state = new RolloutState(request.revision() + "@" + now, request.revision(), request.select(),
                request.waves().text(), plan, request.bake().toSeconds(), request.deadline().toSeconds(),
                request.maxFailures(), 1, RolloutState.Result.RUNNING, null, hosts, who, now.toString(),
                now.toString());
        try (ControllerLock lock = ControllerLock.take(store, holder("rollout"), LOCK_WAIT, progress)) {
            Optional<Read> before = readState();
            before.ifPresent(this::refuseUnfinished);
            Read started = write(lock, before.map(Read::modRevision).orElse(0L), state, assignments -> { });
            progress.accept("rollout of " + state.revision() + " to " + selected.size() + " host(s) in " + plan.size()
                    + " wave(s): " + String.join(" | ", plan.stream().map(wave -> String.join(", ", wave)).toList())
                    + "; bake " + state.bakeSeconds() + " s, deadline " + state.deadlineSeconds() + " s per wave,"
                    + " at most " + state.maxFailures() + " failure(s)");
            return drive(lock, started);
        }
    }

    /**
     * Lays out the revision as agents fetch it, and one expansion per distinct set of host values, in a
     * temporary directory that is removed afterwards, and has {@code precondition} judge them.
     */
    private void checkExpansions(String id, List<String> hosts, FleetView fleet, Precondition precondition) {
        String key = layout.revision(id);
        Revision revision = Revision.fromJson(key, store.get(key).orElseThrow());
        Path dir = null;
        try {
            dir = Files.createTempDirectory("rampart-rollout-");
            revision.bundle().writeTo(dir.resolve("revisions").resolve(id));
            Map<String, Path> byValues = new LinkedHashMap<>();
            Map<Path, List<String>> expansions = new LinkedHashMap<>();
            for (String host : hosts) {
                String definitions = HostExpansion.definitions(store, host, fleet.host(host).orElseThrow().labels());
                Path file = byValues.get(definitions);
                if (file == null) {
                    file = dir.resolve(host + ".rules");
                    Files.writeString(file, HostExpansion.text(host, revision, definitions));
                    byValues.put(definitions, file);
                }
                expansions.computeIfAbsent(file, f -> new ArrayList<>()).add(host);
            }
            precondition.check(id, expansions);
        } catch (IOException e) {
            throw new Failure(Failure.Category.SYSTEM, "cannot lay out revision " + id + " in " + dir + ": "
                    + e.getMessage());
        } finally {
            removeQuietly(dir);
        }
    }

    private static void removeQuietly(Path dir) {
        try {
            FleetAgent.removeTree(dir);
        } catch (IOException e) {
            // a temporary directory left behind holds nothing of value
        }
    }

    /** Continues a halted rollout, or one whose controller is gone, from its current wave. */
    public Ended resume() {
        Read read = unfinished("resume");
        try (ControllerLock lock = ControllerLock.take(store, holder("resume"), LOCK_WAIT, progress)) {
            read = unfinished("resume");
            if (read.state().result() == RolloutState.Result.HALTED) {
                read = write(lock, read.modRevision(), read.state().withResult(RolloutState.Result.RUNNING, null),
                        assignments -> { });
            }
            progress.accept("resuming the " + read.state().summary());
            return drive(lock, read);
        }
    }

    /** Halts the running rollout: its controller stops at its next look, and every host keeps what it was assigned. */
    public RolloutState halt() {
        while (true) {
            Read read = unfinished("halt");
            if (read.state().result() != RolloutState.Result.RUNNING) {
                throw new Failure(Failure.Category.INPUT, "the " + read.state().summary() + ": nothing to halt");
            }
            RolloutState halted = read.state().withResult(RolloutState.Result.HALTED, "halted by " + who);
            if (new StoreTransaction(store).unchanged(layout.rollout(), read.modRevision())
                    .put(layout.rollout(), halted.toJson()).commit().isPresent()) {
                progress.accept("the " + halted.summary());
                return halted;
            }
        }
    }

    /** Returns every host the rollout moved to the revision it held before, and waits for them to report it. */
    public Ended rollback() {
        Read read = readState().orElseThrow(() -> new Failure(Failure.Category.INPUT, "no rollout to roll back"));
        if (read.state().result() == RolloutState.Result.RUNNING) {
            progress.accept("halting the running rollout first");
            halt();
        }
        try (ControllerLock lock = ControllerLock.take(store, holder("rollback"), LOCK_WAIT, progress)) {
            read = readState().orElseThrow();
            if (read.state().result() == RolloutState.Result.ROLLED_BACK) {
                throw new Failure(Failure.Category.INPUT, "the " + read.state().summary()
                        + ": nothing to roll back");
            }
            List<String> moved = read.state().hosts().entrySet().stream()
                    .filter(host -> host.getValue().outcome() != RolloutState.Outcome.PENDING)
                    .map(Map.Entry::getKey).toList();
            Read back = returnToPrevious(lock, read, moved, RolloutState.Result.ROLLED_BACK, "rolled back by " + who);
            boolean complete = awaitReturned(lock, back, moved);
            progress.accept("the " + back.state().summary() + (complete ? ""
                    : "; not every host reported its previous revision within the deadline"));
            return new Ended(back.state(), complete);
        }
    }

    /** Drives a running rollout wave by wave until it succeeds, halts, or someone halts it. */
    private Ended drive(ControllerLock lock, Read read) {
        while (read.state().result() == RolloutState.Result.RUNNING) {
            RolloutState state = read.state();
            int number = state.wave();
            String wave = "wave " + number + "/" + state.plan().size();
            List<String> hosts = state.waveHosts(number);
            List<String> sent = hosts.stream()
                    .filter(host -> state.hosts().get(host).outcome() != RolloutState.Outcome.PASSED).toList();
            read = write(lock, read.modRevision(), state.withHosts(sent,
                    host -> host.with(RolloutState.Outcome.WAITING, null)), assignments ->
                    sent.forEach(host -> assignments.put(layout.assignment(host), state.revision())));
            if (read.state().result() != RolloutState.Result.RUNNING) {
                break;
            }
            progress.accept(wave + ": " + String.join(", ", sent) + " assigned " + state.revision());
            Map<String, String> targets = new LinkedHashMap<>();
            sent.forEach(host -> targets.put(host, state.revision()));
            Waited waited = await(lock, read, targets, Duration.ofSeconds(state.deadlineSeconds()),
                    Duration.ofSeconds(state.bakeSeconds()), state.maxFailures() - state.failures());
            if (waited.stoppedBy() != null) {
                read = waited.stoppedBy();
                break;
            }
            List<String> passed = sent.stream().filter(host -> !waited.failed().containsKey(host)).toList();
            RolloutState judged = failed(read.state().withHosts(passed,
                    host -> host.with(RolloutState.Outcome.PASSED, null)), waited.failed());
            if (judged.failures() > judged.maxFailures()) {
                String why = wave + " failed: " + judged.failures() + " host(s) failed, more than --max-failures "
                        + judged.maxFailures() + " (" + String.join(", ", waited.failed().keySet())
                        + "); its hosts were returned to their previous revisions";
                progress.accept(why);
                Read halted = returnToPrevious(lock, new Read(judged, read.modRevision()), hosts,
                        RolloutState.Result.HALTED, why);
                awaitReturned(lock, halted, hosts);
                progress.accept("the " + halted.state().headline());
                return new Ended(halted.state(), false);
            }
            boolean last = number == state.plan().size();
            RolloutState next = last ? judged.withResult(RolloutState.Result.SUCCEEDED, null) : judged.withWave(number + 1);
            read = write(lock, read.modRevision(), next, assignments -> { });
            progress.accept(wave + ": passed" + (waited.failed().isEmpty() ? ""
                    : " with " + waited.failed().size() + " failure(s) within --max-failures " + state.maxFailures()));
        }
        RolloutState end = read.state();
        progress.accept("the " + end.summary());
        return new Ended(end, end.result() == RolloutState.Result.SUCCEEDED && end.failures() == 0);
    }

    /** {@code state} with each host of {@code failed} failed, with why. */
    private static RolloutState failed(RolloutState state, Map<String, String> failed) {
        RolloutState with = state;
        for (Map.Entry<String, String> host : failed.entrySet()) {
            with = with.withHosts(List.of(host.getKey()), outcome -> outcome.with(RolloutState.Outcome.FAILED,
                    host.getValue()));
        }
        return with;
    }

    /** Assigns {@code hosts} their previous revisions (or none, when they had none) and ends the rollout with {@code result}. */
    private Read returnToPrevious(ControllerLock lock, Read read, List<String> hosts, RolloutState.Result result,
                                  String why) {
        RolloutState state = read.state().withHosts(hosts, host -> host.with(RolloutState.Outcome.ROLLED_BACK,
                host.error())).withResult(result, why);
        Read written = write(lock, read.modRevision(), state, assignments -> {
            for (String host : hosts) {
                String previous = state.hosts().get(host).previous();
                if (previous == null) {
                    assignments.delete(layout.assignment(host));
                } else {
                    assignments.put(layout.assignment(host), previous);
                }
            }
        });
        for (String host : hosts) {
            String previous = state.hosts().get(host).previous();
            progress.accept("  " + host + ": " + (previous == null
                    ? "held no revision before: its assignment is removed, and it keeps enforcing what it has"
                    : "assigned " + previous + " again"));
        }
        return written;
    }

    /** Waits for {@code hosts} to report their previous revisions; true when every one did within the deadline. */
    private boolean awaitReturned(ControllerLock lock, Read read, List<String> hosts) {
        Map<String, String> targets = new LinkedHashMap<>();
        hosts.stream().filter(host -> read.state().hosts().get(host).previous() != null)
                .forEach(host -> targets.put(host, read.state().hosts().get(host).previous()));
        Waited waited = await(lock, read, targets, Duration.ofSeconds(read.state().deadlineSeconds()), Duration.ZERO,
                Integer.MAX_VALUE);
        return waited.stoppedBy() == null && waited.failed().isEmpty();
    }

    /**
     * Waits until each host of {@code targets} is healthy on its target revision (then, all of them,
     * through {@code bake}) or has failed, until more than {@code allowed} failed, or until the state
     * changes under the controller (halted).
     */
    private Waited await(ControllerLock lock, Read read, Map<String, String> targets, Duration deadline, Duration bake,
                         int allowed) {
        Map<String, String> failed = new LinkedHashMap<>();
        Set<String> healthy = new HashSet<>();
        long deadlineAt = System.nanoTime() + deadline.toNanos();
        long bakeFrom = 0;
        boolean baking = false;
        while (true) {
            Optional<Read> now = retrying(this::readState);
            if (now.isEmpty() || now.get().modRevision() != read.modRevision()) {
                return new Waited(failed, stoppedBy(lock, now));
            }
            FleetView fleet = retrying(() -> FleetView.read(store));
            for (Map.Entry<String, String> target : targets.entrySet()) {
                String host = target.getKey();
                if (failed.containsKey(host)) {
                    continue;
                }
                Optional<FleetView.Host> seen = fleet.host(host);
                String why = seen.map(h -> failure(h, target.getValue())).orElse(null);
                if (why == null && baking && healthy.contains(host) && !seen.map(h -> healthy(h, target.getValue()))
                        .orElse(false)) {
                    why = "left " + target.getValue() + " while baking: " + seen.map(h -> h.state().label())
                            .orElse("gone");
                }
                if (why != null) {
                    failed.put(host, why);
                    healthy.remove(host);
                    progress.accept("  " + host + ": failed: " + firstLine(why));
                } else if (seen.map(h -> healthy(h, target.getValue())).orElse(false)) {
                    if (healthy.add(host)) {
                        progress.accept("  " + host + ": converged on " + target.getValue());
                    }
                } else if (!baking) {
                    healthy.remove(host);
                }
            }
            if (failed.size() > allowed) {
                return new Waited(failed, null);
            }
            if (healthy.size() + failed.size() == targets.size()) {
                if (!baking) {
                    baking = true;
                    bakeFrom = System.nanoTime();
                    if (!bake.isZero()) {
                        progress.accept("  baking " + bake.toSeconds() + " s");
                    }
                }
                if (System.nanoTime() - bakeFrom >= bake.toNanos()) {
                    return new Waited(failed, null);
                }
            } else if (System.nanoTime() > deadlineAt) {
                for (String host : targets.keySet()) {
                    if (!healthy.contains(host) && !failed.containsKey(host)) {
                        String state = fleet.host(host).map(h -> h.state().label()).orElse("unknown");
                        failed.put(host, "not applied and healthy on " + targets.get(host) + " within "
                                + deadline.toSeconds() + " s (" + state + ")");
                        progress.accept("  " + host + ": failed: " + failed.get(host));
                    }
                }
                return new Waited(failed, null);
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failure(Failure.Category.SYSTEM, "interrupted; the rollout stays as it is in etcd");
            }
        }
    }

    /** The state someone else wrote while the controller waited: a halt; else the lock was lost. */
    private Read stoppedBy(ControllerLock lock, Optional<Read> now) {
        if (now.isPresent() && now.get().state().result() != RolloutState.Result.RUNNING) {
            progress.accept("stopped: " + (now.get().state().reason() == null ? now.get().state().result().label()
                    : now.get().state().reason()));
            return now.get();
        }
        throw lostControl(lock);
    }

    private Failure lostControl(ControllerLock lock) {
        return new Failure(Failure.Category.SYSTEM, layout.rollout() + " changed under this controller"
                + (lock.held() ? "" : ", which lost " + layout.rolloutLock()) + "; `rampart fleet status' shows it,"
                + " `rampart fleet resume' continues it");
    }

    /** Healthy on {@code revision}: applied, converged, and its lease alive. */
    private static boolean healthy(FleetView.Host host, String revision) {
        return host.state() == HostStatus.State.CONVERGED && revision.equals(host.revision());
    }

    /** Why {@code host} failed on {@code revision}, as it reported; null when it did not (yet). */
    private static String failure(FleetView.Host host, String revision) {
        boolean failing = host.state() == HostStatus.State.FAILED || host.state() == HostStatus.State.DRIFTED;
        return failing && revision.equals(host.reportedAssigned())
                ? (host.state() == HostStatus.State.DRIFTED ? "drifted: " : "")
                        + (host.error() == null ? "no error reported" : host.error()) : null;
    }

    /**
     * Writes {@code next} over the state read at {@code modRevision}, with the assignments {@code
     * writes} adds, while the lock is held; the state as written, or as someone else wrote it (a halt).
     */
    private Read write(ControllerLock lock, long modRevision, RolloutState next, Consumer<StoreTransaction> writes) {
        String json = next.toJson();
        OptionalLong written = retrying(() -> {
            StoreTransaction transaction = lock.guard().unchanged(layout.rollout(), modRevision)
                    .put(layout.rollout(), json);
            writes.accept(transaction);
            return transaction.commit();
        });
        if (written.isPresent()) {
            return new Read(next, written.getAsLong());
        }
        Optional<Read> now = readState();
        if (now.isPresent() && now.get().state().toJson().equals(json)) {
            return now.get(); // an earlier try went through, its answer lost
        }
        return stoppedBy(lock, now);
    }

    private Optional<Read> readState() {
        return StoreTransaction.read(store, layout.rollout())
                .map(value -> new Read(RolloutState.fromJson(layout.rollout(), value.value()), value.modRevision()));
    }

    /** The state of a rollout that is not over, for {@code command}; else a clear refusal. */
    private Read unfinished(String command) {
        Read read = readState().orElseThrow(() -> new Failure(Failure.Category.INPUT, "no rollout to " + command));
        if (read.state().result().finished()) {
            throw new Failure(Failure.Category.INPUT, "the " + read.state().summary() + ": nothing to " + command);
        }
        return read;
    }

    private void refuseUnfinished(Read read) {
        if (!read.state().result().finished()) {
            throw new Failure(Failure.Category.SYSTEM, "the " + read.state().summary() + " is not over:"
                    + " `rampart fleet resume' continues it, `rampart fleet rollback' undoes it; nothing was changed");
        }
    }

    /**
     * Runs an etcd operation, trying again while etcd does not answer (a leader being elected), for
     * up to {@link #ETCD_OUTAGE}; the state stays in etcd either way.
     */
    private <T> T retrying(Supplier<T> operation) {
        long giveUp = System.nanoTime() + ETCD_OUTAGE.toNanos();
        boolean told = false;
        while (true) {
            try {
                return operation.get();
            } catch (Failure e) {
                if (e.category() != Failure.Category.SYSTEM || !e.getMessage().startsWith("etcd at ")
                        || System.nanoTime() > giveUp) {
                    throw e;
                }
                if (!told) {
                    progress.accept(e.getMessage() + "; trying again for up to " + ETCD_OUTAGE.toSeconds() + " s");
                    told = true;
                }
                try {
                    Thread.sleep(POLL.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private String holder(String command) {
        return ControllerLock.holderValue(who, "rampart fleet " + command);
    }

    static String labels(Map<String, String> select) {
        List<String> pairs = new ArrayList<>();
        select.forEach((name, value) -> pairs.add(name + "=" + value));
        return String.join(",", pairs);
    }

    private static String firstLine(String text) {
        return text.lines().findFirst().orElse("");
    }
}
