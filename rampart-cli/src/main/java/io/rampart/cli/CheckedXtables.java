package io.rampart.cli;

import io.rampart.model.Family;
import io.rampart.reconcile.Xtables;

/**
 * The kernel boundary with a say before each write: it remembers the last dump, hands it and the
 * restore script to a check that may refuse (or prepare a rollback) before anything is written,
 * and reports a restore the kernel refused.
 */
final class CheckedXtables implements Xtables {

    /** Runs before a restore; throws to stop it, leaving the kernel as it was. */
    interface BeforeRestore {
        void check(String saved, String script);

        /** The kernel refused the script, so nothing changed. */
        default void refused() {
        }
    }

    private final Xtables kernel;
    private final BeforeRestore before;
    private String saved;

    CheckedXtables(Xtables kernel, BeforeRestore before) {
        this.kernel = kernel;
        this.before = before;
    }

    @Override
    public String save(Family family) {
        saved = kernel.save(family);
        return saved;
    }

    @Override
    public RestoreResult restore(Family family, String script) {
        if (saved == null) {
            throw new IllegalStateException("a restore is planned from a dump: save first");
        }
        before.check(saved, script);
        RestoreResult result = kernel.restore(family, script);
        if (!result.ok()) {
            before.refused();
        }
        return result;
    }
}
