package io.rampart.system;

import io.rampart.model.Family;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One writer at a time for the rules of a namespace and family, among all of Rampart's processes
 * and threads: a {@link LockFile} under {@value #ROOT} named by the namespace's device and inode (a namespace
 * deleted and made again under its name is another namespace; two names of one namespace share
 * the lock). Writers hold it from their read of the kernel to their write; readers never take it.
 */
public final class WriterLock {

    public static final String ROOT = "/run/rampart/lock";
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

    /** What a waiting writer says: the lock, who holds it (when known) and how long it waits at most. */
    public record Notice(String rules, Path lock, Optional<LockFile.Holder> holder, Duration patience) {

        public String message() {
            return "waiting for the lock of the " + rules + " (" + lock + "), held by "
                    + holder.map(LockFile.Holder::toString).orElse("another writer") + "; giving up after "
                    + patience.toSeconds() + " s";
        }
    }

    /** How long a writer waits for the lock, and who hears that it waits. */
    public record Waiting(Duration patience, Consumer<Notice> onWait) {

        /** 30 s, said on stderr. */
        public static Waiting standard() {
            return new Waiting(DEFAULT_WAIT, notice -> System.err.println("rampart: " + notice.message()));
        }
    }

    private WriterLock() {
    }

    /**
     * Holds the lock of {@code family}'s rules in {@code netns} when nobody else does, without
     * waiting and without a word; empty when another writer holds it or the namespace cannot be
     * identified (the writer's own {@link #hold} then says why).
     */
    public static Optional<LockFile.Held> tryHold(Netns netns, Family family) {
        return netns.identity().flatMap(namespace -> lockOf(namespace, family).acquire(Duration.ZERO, holder -> { }));
    }

    /**
     * Holds the lock of {@code family}'s rules in {@code netns}; a holder on this thread holds it
     * again. When the wait runs out, a system error (exit 4) names the holder: nothing was changed.
     */
    public static LockFile.Held hold(Netns netns, Family family, Waiting waiting) {
        String rules = (family == Family.IPV4 ? "IPv4" : "IPv6") + " rules of "
                + netns.name().map(n -> "namespace " + n).orElse("this host");
        String namespace = netns.identity().orElseThrow(() -> new SystemException(
                "cannot identify the network namespace of the " + rules));
        LockFile lock = lockOf(namespace, family);
        AtomicReference<Optional<LockFile.Holder>> seen = new AtomicReference<>(Optional.empty());
        return lock.acquire(waiting.patience(), holder -> {
            seen.set(holder);
            waiting.onWait().accept(new Notice(rules, lock.path(), holder, waiting.patience()));
        }).orElseThrow(() -> new SystemException("gave up after " + waiting.patience().toSeconds()
                + " s waiting for the lock of the " + rules + " (" + lock.path() + "), held by "
                + seen.get().map(LockFile.Holder::toString).orElse("another writer")
                + "; nothing was changed (--wait SECONDS waits longer)"));
    }

    private static LockFile lockOf(String namespace, Family family) {
        return LockFile.of(Path.of(ROOT, "net-" + namespace.replace(':', '-') + "."
                + family.name().toLowerCase(java.util.Locale.ROOT) + ".lock"));
    }
}
