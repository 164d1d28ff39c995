package io.rampart.api;

import io.rampart.model.Family;
import io.rampart.reconcile.Plan;
import io.rampart.syntax.SavedState;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import io.rampart.system.agent.KernelMonitor;
import io.rampart.system.agent.KernelWatch;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tells the event stream when the kernel's rules change and, with a ruleset file, when they drift
 * from it and when they hold it again. On nf_tables it listens to {@code nft monitor}; legacy
 * iptables has no change events and is polled.
 */
final class DriftWatch implements AutoCloseable {

    private static final Duration POLL_INTERVAL = Duration.ofSeconds(2);
    /** A restore is a burst of change events within a few milliseconds: look once after it. */
    private static final long QUIET_MILLIS = 150;

    private final RampartService service;
    private final EventHub hub;
    private final ProcessRunner runner;
    private final ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "drift watch");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean pending = new AtomicBoolean();
    private KernelMonitor monitor;
    private String lastSaved;
    private Plan lastDrift;

    DriftWatch(RampartService service, EventHub hub, ProcessRunner runner) {
        this.service = service;
        this.hub = hub;
        this.runner = runner;
    }

    void start() {
        Family family = service.family();
        try (Netns netns = service.namespace(runner)) {
            KernelWatch watch = KernelWatch.detect(netns, family, POLL_INTERVAL);
            // Watching starts before the first look, so a change in between is not missed.
            if (watch instanceof KernelWatch.Events) {
                monitor = KernelMonitor.start(netns, family, this::changed,
                        message -> hub.publish(ServerEvent.now("error", null,
                                message + "; changes are no longer reported")));
            } else {
                checks.scheduleWithFixedDelay(this::check, POLL_INTERVAL.toMillis(), POLL_INTERVAL.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }
        checks.execute(this::baseline);
    }

    private void changed() {
        service.liveChanged();
        if (pending.compareAndSet(false, true)) {
            checks.schedule(() -> {
                pending.set(false);
                check();
            }, QUIET_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void baseline() {
        lastSaved = saved();
        lastDrift = drift();
        try {
            service.readLive();
        } catch (RuntimeException e) {
            // a rule Rampart cannot model: the page's first request reports it
        }
    }

    /** Compares with the last look and reports what differs; runs on the one checking thread. */
    private void check() {
        try {
            String now = saved();
            if (now.equals(lastSaved)) {
                return;
            }
            lastSaved = now;
            service.liveChanged();
            hub.publish(ServerEvent.now("changed", null, service.family().name().toLowerCase(Locale.ROOT)));
            Plan drift = drift();
            if (drift != null && (lastDrift == null || !drift.changes().equals(lastDrift.changes()))) {
                hub.publish(ServerEvent.now("drift", drift, null));
            } else if (drift == null && lastDrift != null) {
                hub.publish(ServerEvent.now("repaired", null, null));
            }
            lastDrift = drift;
        } catch (RuntimeException e) {
            hub.publish(ServerEvent.now("error", null, e.getMessage()));
        }
    }

    /** What differs from the file, or null when the kernel holds it (or there is no file). */
    private Plan drift() {
        if (service.file().isEmpty()) {
            return null;
        }
        StatusResult status = service.status();
        return status.inSync() ? null : status.plan();
    }

    private String saved() {
        try (Netns netns = service.namespace(runner)) {
            ProcessResult result = netns.run(List.of(service.family().command() + "-save"), "");
            // Counters change with every packet; only rules and policies are changes.
            return SavedState.parse(result.stdout()).withoutCounters();
        }
    }

    @Override
    public void close() {
        if (monitor != null) {
            monitor.close();
        }
        checks.shutdownNow();
    }
}
