package io.rampart.api;

import io.rampart.reconcile.Plan;
import java.time.Instant;

/**
 * Something the server saw or did, sent to every event-stream client.
 *
 * @param kind    {@code applied} (an apply through the API), {@code changed} (the kernel's rules changed),
 *                {@code drift} (the kernel no longer holds the file), {@code repaired} (it holds it again),
 *                {@code confirmed} or {@code rolled-back} (an apply awaiting confirmation ended so; by whom
 *                or by its timer), {@code error} (the server could not follow something)
 * @param time    ISO-8601
 * @param plan    for applied and drift: what was, or would be, changed
 * @param message for changed, confirmed and rolled-back: which family; for error: what went wrong
 */
public record ServerEvent(String kind, String time, Plan plan, String message) {

    public static ServerEvent now(String kind, Plan plan, String message) {
        return new ServerEvent(kind, Instant.now().toString(), plan, message);
    }
}
