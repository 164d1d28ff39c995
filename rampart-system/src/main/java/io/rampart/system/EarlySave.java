package io.rampart.system;

import io.rampart.model.Family;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One family's iptables-save started before anyone asks for it, in a thread of its own, so that
 * it runs while the caller reads and checks its ruleset file: at 100,000 rules both take seconds,
 * and on two cores they take them side by side. A writer reads ahead only under the writers' lock,
 * taken before the dump starts and kept until {@link #close}, so that the dump is as good as one
 * taken under its own hold; when another writer holds the lock, there is no reading ahead.
 *
 * <p>The dump is handed out once ({@link #take}); a failure of iptables-save is thrown there, where
 * the caller's own save would have failed. A dump nobody takes (the file was wrong, or for the other
 * family) is left to finish on its own.
 */
public final class EarlySave implements AutoCloseable {

    private final Family family;
    private final CompletableFuture<String> dump;
    private final Optional<LockFile.Held> held;
    private boolean taken;

    private EarlySave(Family family, CompletableFuture<String> dump, Optional<LockFile.Held> held) {
        this.family = family;
        this.dump = dump;
        this.held = held;
    }

    /** Starts {@code family}'s dump of {@code netns} now, as a reader. */
    public static EarlySave reading(Netns netns, Family family) {
        return new EarlySave(family, start(netns, family), Optional.empty());
    }

    /**
     * Holds the writers' lock of {@code family}'s rules on this thread and starts the dump; empty,
     * holding nothing, when another writer holds the lock or the namespace cannot be identified.
     */
    public static Optional<EarlySave> writing(Netns netns, Family family) {
        return WriterLock.tryHold(netns, family).map(held -> new EarlySave(family, start(netns, family),
                Optional.of(held)));
    }

    private static CompletableFuture<String> start(Netns netns, Family family) {
        CompletableFuture<String> dump = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                dump.complete(new Iptables(netns, family).saveWithComments());
            } catch (RuntimeException | Error e) {
                dump.completeExceptionally(e);
            }
        }, "rampart-early-save");
        thread.setDaemon(true); // a dump nobody takes must not keep the command from ending
        thread.start();
        return dump;
    }

    /** The dump of {@code family}, the first time it is asked for; empty for another family and afterwards. */
    public synchronized Optional<String> take(Family wanted) {
        if (wanted != family || taken) {
            return Optional.empty();
        }
        taken = true;
        try {
            return Optional.of(dump.join());
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** Lets other writers in again (on the thread that took the lock). */
    @Override
    public void close() {
        held.ifPresent(LockFile.Held::close);
    }
}
