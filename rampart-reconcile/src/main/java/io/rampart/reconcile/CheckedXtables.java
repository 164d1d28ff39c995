package io.rampart.reconcile;

import io.rampart.model.Family;
import io.rampart.model.Table;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The kernel boundary with a say around each write: it remembers the last dump and hands it, the
 * restore script and the write itself to a guard, which may refuse before anything is written or
 * prepare for what follows the write.
 */
public final class CheckedXtables implements Xtables {

    /** Runs around a restore; throws before calling {@code write} to leave the kernel as it was. */
    public interface Guard {
        RestoreResult around(String saved, String script, Supplier<RestoreResult> write);
    }

    private final Xtables kernel;
    private final Guard guard;
    private String saved;

    public CheckedXtables(Xtables kernel, Guard guard) {
        this.kernel = kernel;
        this.guard = guard;
    }

    @Override
    public String save(Family family) {
        saved = kernel.save(family);
        return saved;
    }

    @Override
    public String saveWithCounters(Family family) {
        return kernel.saveWithCounters(family);
    }

    /** A listing of one chain, to check a write, is no dump a restore is planned from. */
    @Override
    public Optional<String> listChain(Family family, Table table, String chain) {
        return kernel.listChain(family, table, chain);
    }

    @Override
    public Hold hold(Family family) {
        return kernel.hold(family);
    }

    @Override
    public RestoreResult restore(Family family, String script) {
        if (saved == null) {
            throw new IllegalStateException("a restore is planned from a dump: save first");
        }
        return guard.around(saved, script, () -> kernel.restore(family, script));
    }
}
