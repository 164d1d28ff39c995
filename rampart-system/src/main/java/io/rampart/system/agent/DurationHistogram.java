package io.rampart.system.agent;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * How long syncs took, in fixed buckets (Prometheus' histogram: a count per upper bound and the
 * sum), so that the agent's file and the server's own applies report durations the same way.
 */
public final class DurationHistogram {

    /** Upper bounds in seconds; an apply takes from a few milliseconds to seconds for large rulesets. */
    public static final double[] BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    /** Per bucket (not cumulative), the last one above every bound. */
    private final long[] counts;
    private double sumSeconds;

    public DurationHistogram() {
        this(new long[BOUNDS.length + 1], 0);
    }

    private DurationHistogram(long[] counts, double sumSeconds) {
        this.counts = counts;
        this.sumSeconds = sumSeconds;
    }

    public synchronized void observe(Duration took) {
        double seconds = took.toNanos() / 1e9;
        int bucket = 0;
        while (bucket < BOUNDS.length && seconds > BOUNDS[bucket]) {
            bucket++;
        }
        counts[bucket]++;
        sumSeconds += seconds;
    }

    /** The count of observations at most {@code BOUNDS[bucket]} long; the last bucket is +Inf. */
    public synchronized long cumulative(int bucket) {
        long total = 0;
        for (int i = 0; i <= bucket; i++) {
            total += counts[i];
        }
        return total;
    }

    public synchronized long count() {
        return cumulative(BOUNDS.length);
    }

    public synchronized double sumSeconds() {
        return sumSeconds;
    }

    /** {@code counts;sum}, e.g. {@code 0,2,1,0,0,0,0,0,0,0,0,0;0.031}: how the agent's file keeps it. */
    synchronized String text() {
        StringBuilder out = new StringBuilder();
        for (long count : counts) {
            out.append(out.length() == 0 ? "" : ",").append(count);
        }
        return out.append(';').append(String.format(Locale.ROOT, "%.6f", sumSeconds)).toString();
    }

    /** The inverse of {@link #text()}; a value of another form is an empty histogram. */
    static DurationHistogram parse(String text) {
        String[] parts = text == null ? new String[0] : text.split(";");
        if (parts.length != 2) {
            return new DurationHistogram();
        }
        try {
            long[] counts = Arrays.stream(parts[0].split(",")).mapToLong(Long::parseLong).toArray();
            return counts.length == BOUNDS.length + 1 ? new DurationHistogram(counts, Double.parseDouble(parts[1]))
                    : new DurationHistogram();
        } catch (NumberFormatException e) {
            return new DurationHistogram();
        }
    }
}
