package io.rampart.api.adopt;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** When the kernel was read, as the comments of adopted and imported files say it. */
final class Stamp {

    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Stamp() {
    }

    /** {@code 2026-12-01 22:40 UTC}. */
    static String of(Instant when) {
        return MINUTE.format(when);
    }
}
