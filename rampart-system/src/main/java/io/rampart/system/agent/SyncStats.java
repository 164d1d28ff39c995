package io.rampart.system.agent;

import io.rampart.model.Family;
import io.rampart.system.SystemException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * What an agent did: its applies and repairs with their durations and when it last found the kernel
 * holding the file. Kept in a small file per namespace and family under {@value #ROOT}, rewritten
 * after each sync, so that {@code rampart serve} reports it in its metrics.
 */
public final class SyncStats {

    public static final String ROOT = "/run/rampart/agent";

    private final Path file;
    private long applies;
    private long repairs;
    private Instant lastSync;
    private final DurationHistogram applyDurations;
    private final DurationHistogram repairDurations;

    private SyncStats(Path file, long applies, long repairs, Instant lastSync, DurationHistogram applyDurations,
                      DurationHistogram repairDurations) {
        this.file = file;
        this.applies = applies;
        this.repairs = repairs;
        this.lastSync = lastSync;
        this.applyDurations = applyDurations;
        this.repairDurations = repairDurations;
    }

    /** Stats written to {@code file} after each sync (see {@link #fileOf}). */
    public static SyncStats writingTo(Path file) {
        return new SyncStats(file, 0, 0, null, new DurationHistogram(), new DurationHistogram());
    }

    /** Stats that are kept in memory only. */
    public static SyncStats inMemory() {
        return writingTo(null);
    }

    /** The file of the agent on {@code netns} (null: the host's rules) and {@code family} under {@code root}. */
    public static Path fileOf(Path root, String netns, Family family) {
        return root.resolve((netns == null ? "host" : "netns-" + netns) + "."
                + family.name().toLowerCase(Locale.ROOT) + ".properties");
    }

    /** What the file says; empty when no agent has written it. */
    public static Optional<SyncStats> read(Path file) {
        Properties values = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            values.load(in);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String last = values.getProperty("last-sync-ms");
        return Optional.of(new SyncStats(null, number(values, "applies"), number(values, "repairs"),
                last == null ? null : Instant.ofEpochMilli(Long.parseLong(last)),
                DurationHistogram.parse(values.getProperty("apply-seconds")),
                DurationHistogram.parse(values.getProperty("repair-seconds"))));
    }

    private static long number(Properties values, String key) {
        try {
            return Long.parseLong(values.getProperty(key, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The file was applied (also when nothing had to change). */
    synchronized void applied(Duration took, Instant at) {
        applies++;
        applyDurations.observe(took);
        inSync(at);
    }

    /** The kernel had drifted and was brought back. */
    synchronized void repaired(Duration took, Instant at) {
        repairs++;
        repairDurations.observe(took);
        inSync(at);
    }

    /** The kernel was found to hold the file, or made to. */
    synchronized void inSync(Instant at) {
        lastSync = at;
        write();
    }

    public synchronized long applies() {
        return applies;
    }

    public synchronized long repairs() {
        return repairs;
    }

    public synchronized Optional<Instant> lastSync() {
        return Optional.ofNullable(lastSync);
    }

    public DurationHistogram applyDurations() {
        return applyDurations;
    }

    public DurationHistogram repairDurations() {
        return repairDurations;
    }

    /** Removes the file, when the agent stops. */
    void remove() {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new SystemException("cannot remove the agent's state " + file + ": " + e.getMessage());
        }
    }

    /** Replaces the file (temporary file and rename, so a reader never sees half of it). */
    private void write() {
        if (file == null) {
            return;
        }
        Properties values = new Properties();
        values.setProperty("applies", Long.toString(applies));
        values.setProperty("repairs", Long.toString(repairs));
        values.setProperty("last-sync-ms", Long.toString(lastSync.toEpochMilli()));
        values.setProperty("apply-seconds", applyDurations.text());
        values.setProperty("repair-seconds", repairDurations.text());
        try {
            Files.createDirectories(file.getParent());
            StringWriter text = new StringWriter();
            values.store(text, "rampart agent");
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temporary, text.toString(), StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SystemException("cannot write the agent's state " + file + ": " + e.getMessage());
        }
    }
}
