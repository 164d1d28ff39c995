package io.rampart.api;

import io.rampart.model.Family;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Follows the confirmations that applies through the server left pending and reports how each ends,
 * by this server, the command line or the timer at the deadline: {@code confirmed} or
 * {@code rolled-back} once it is no longer pending. One thread looks at all of them; it stops with
 * the server.
 */
final class ConfirmationWatch implements AutoCloseable {

    /** How often the pending confirmations are looked at, to report an end soon after it happens. */
    private static final long POLL_MILLIS = 250;

    private final RampartService service;
    private final EventHub hub;
    private final Set<Family> followed = ConcurrentHashMap.newKeySet();
    private boolean looking;
    private final ScheduledExecutorService looks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "confirmation watch");
        thread.setDaemon(true);
        return thread;
    });

    ConfirmationWatch(RampartService service, EventHub hub) {
        this.service = service;
        this.hub = hub;
    }

    /** Reports the end of the family's pending confirmation when it comes. */
    synchronized void follow(Family family) {
        followed.add(family);
        if (!looking) {
            // The thread starts with the first confirmation to follow.
            looks.scheduleWithFixedDelay(this::look, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
            looking = true;
        }
    }

    private void look() {
        for (Family family : followed) {
            String name = family.name().toLowerCase(Locale.ROOT);
            try {
                if (service.pending(name).isEmpty()) {
                    followed.remove(family);
                    hub.publish(ServerEvent.now(service.lastEnding(name), null, name));
                }
            } catch (RuntimeException e) {
                followed.remove(family);
                hub.publish(ServerEvent.now("error", null, "cannot follow the pending confirmation: "
                        + e.getMessage()));
            }
        }
    }

    @Override
    public void close() {
        looks.shutdownNow();
    }
}
