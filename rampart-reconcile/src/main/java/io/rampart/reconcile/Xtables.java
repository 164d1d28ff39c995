package io.rampart.reconcile;

import io.rampart.model.Family;

/**
 * The kernel as the reconciler sees it: one dump and one atomic load per family. The real one runs
 * iptables-save and iptables-restore; tests may use a fake.
 */
public interface Xtables {

    /** Everything the kernel holds for the family, as iptables-save prints it. */
    String save(Family family);

    /**
     * Like {@link #save}, with each rule's packet and byte counters ({@code iptables-save -c}). A
     * boundary that cannot count may return {@code save}'s text: its rules then count nothing.
     */
    default String saveWithCounters(Family family) {
        return save(family);
    }

    /** Loads {@code script} with {@code iptables-restore --noflush}: every table in it commits atomically. */
    RestoreResult restore(Family family, String script);

    /**
     * Holds off every other writer of the family's rules until closed; a writer holds it from its
     * read to its write, so that no other writer's change comes between. Holding it again on the
     * same thread is allowed. A boundary with no other writers may hold nothing.
     */
    default Hold hold(Family family) {
        return () -> { };
    }

    /** A hold of the writers' lock; closing it lets the next writer in. */
    interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    /** How a restore ended; {@code message} is what iptables-restore said when it refused. */
    record RestoreResult(boolean ok, String message) {
    }
}
