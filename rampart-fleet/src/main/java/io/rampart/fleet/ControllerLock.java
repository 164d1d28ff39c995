package io.rampart.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.model.Failure;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The one controller that may act on the rollout: {@code rollout/lock}, created only while absent
 * and held by a lease the holder keeps alive, so a killed controller's lock is gone within
 * {@link #LEASE_SECONDS}. Every write the holder makes is guarded by the lock key it created
 * ({@link #guard}), so a controller that lost its lock (paused past its lease) writes nothing.
 */
final class ControllerLock implements AutoCloseable {

    /** How long the lock outlives a controller that stopped keeping it alive. */
    static final long LEASE_SECONDS = 5;
    private static final Duration RETRY = Duration.ofMillis(200);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EtcdStore store;
    private final EtcdStore.Lease lease;
    private final long createRevision;

    private ControllerLock(EtcdStore store, EtcdStore.Lease lease, long createRevision) {
        this.store = store;
        this.lease = lease;
        this.createRevision = createRevision;
    }

    /**
     * Takes the lock, waiting up to {@code wait} while another holds it ({@code notice} hears once
     * who); then refuses, naming the holder.
     */
    static ControllerLock take(EtcdStore store, String holder, Duration wait, Consumer<String> notice) {
        String key = store.layout().rolloutLock();
        long deadline = System.nanoTime() + wait.toNanos();
        boolean told = false;
        EtcdStore.Lease lease = store.lease(LEASE_SECONDS, () -> { });
        try {
            while (true) {
                if (new StoreTransaction(store).unchanged(key, 0).put(key, holder, lease).commit().isPresent()) {
                    Optional<StoreTransaction.Versioned> mine = StoreTransaction.read(store, key);
                    if (mine.isPresent() && mine.get().value().equals(holder)) {
                        return new ControllerLock(store, lease, mine.get().createRevision());
                    }
                    continue; // gone again at once: our lease ended; try again
                }
                String other = holder(store).orElse(null);
                if (other == null) {
                    continue;
                }
                if (System.nanoTime() > deadline) {
                    throw new Failure(Failure.Category.SYSTEM, "another controller acts on the rollout: " + other
                            + " holds " + key + "; a controller that is gone loses it within " + LEASE_SECONDS + " s");
                }
                if (!told) {
                    notice.accept("waiting for " + key + ", held by " + other);
                    told = true;
                }
                Thread.sleep(RETRY.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lease.close();
            throw new Failure(Failure.Category.SYSTEM, "interrupted waiting for " + key);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /** Who holds the lock now, in words; empty when nobody does. */
    static Optional<String> holder(EtcdStore store) {
        return store.get(store.layout().rolloutLock()).map(ControllerLock::describe);
    }

    /** A holder's value: who, which process, since when. */
    static String holderValue(String who, String command) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("holder", who);
        value.put("pid", ProcessHandle.current().pid());
        value.put("command", command);
        value.put("since", Instant.now().toString());
        return StoredJson.write(JSON, value, "a lock holder");
    }

    static String describe(String value) {
        try {
            Map<?, ?> holder = JSON.readValue(value, Map.class);
            return "`" + holder.get("command") + "' of " + holder.get("holder") + " (pid " + holder.get("pid")
                    + ", since " + holder.get("since") + ")";
        } catch (JsonProcessingException e) {
            return "`" + value + "'";
        }
    }

    /** A transaction that writes only while this lock is still held. */
    StoreTransaction guard() {
        return new StoreTransaction(store).sameKey(store.layout().rolloutLock(), createRevision);
    }

    /** Whether the lock is still this one's. */
    boolean held() {
        return StoreTransaction.read(store, store.layout().rolloutLock())
                .filter(lock -> lock.createRevision() == createRevision).isPresent();
    }

    /** Releases the lock: the key goes now (if still this one), the lease with it. */
    @Override
    public void close() {
        try {
            guard().delete(store.layout().rolloutLock()).commit();
        } catch (Failure e) {
            // etcd gone: the lease ends the lock by itself
        } finally {
            lease.close();
        }
    }
}
