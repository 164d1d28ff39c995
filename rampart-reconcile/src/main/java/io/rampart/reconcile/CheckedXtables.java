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
    private boolean checkingWrite;

    public CheckedXtables(Xtables kernel, Guard guard) {
        this.kernel = kernel;
        this.guard = guard;
    }

    @Override
    public String save(Family family) {
        saved = kernel.save(family);
        checkingWrite = false;
        return saved;
    }

    @Override
    public String saveWithCounters(Family family) {
        return kernel.saveWithCounters(family);
    }

    /**
     * After a write, until the next dump or apply, a listing checks what was written: the kernel
     * lists the chain alone. Before a write a plan may be made from listings (as the agent's are),
     * so they are cut from a fresh dump, which the guard then holds as the state planned from.
     */
    @Override
    public Optional<String> listChain(Family family, Table table, String chain) {
        return checkingWrite ? kernel.listChain(family, table, chain) : Xtables.super.listChain(family, table, chain);
    }

    /** Every apply holds first: what it lists before its own write is read to plan from. */
    @Override
    public Hold hold(Family family) {
        checkingWrite = false;
        return kernel.hold(family);
    }

    @Override
    public RestoreResult restore(Family family, String script) {
        if (saved == null) {
            throw new IllegalStateException("a restore is planned from a dump: save first");
        }
        RestoreResult result = guard.around(saved, script, () -> kernel.restore(family, script));
        checkingWrite = true;
        // Without its writer, a view lists what was written rather than taking it from the script:
        // the listings before the next write are cut from a fresh dump, the one the guard then holds.
        return new RestoreResult(result.ok(), result.message());
    }
}
