package io.rampart.api;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.reconcile.Xtables;
import java.util.List;
import java.util.Optional;

/**
 * The kernel, its first dump of one family served from a dump already taken (by a check of the
 * no-op memo that did not hold) and remembered, so that the memo written after the apply is of the
 * very dump the apply planned on.
 */
final class FirstDump implements Xtables {

    private final Xtables kernel;
    private final Family family;
    private String ahead;
    private String first;

    FirstDump(Xtables kernel, Family family, String ahead) {
        this.kernel = kernel;
        this.family = family;
        this.ahead = ahead;
    }

    /** The first dump of the family this kernel gave; empty before one was asked for. */
    Optional<String> first() {
        return Optional.ofNullable(first);
    }

    @Override
    public String save(Family wanted) {
        String dump;
        if (wanted == family && ahead != null) {
            dump = ahead;
            ahead = null;
        } else {
            dump = kernel.save(wanted);
        }
        if (wanted == family && first == null) {
            first = dump;
        }
        return dump;
    }

    @Override
    public String saveWithCounters(Family wanted) {
        return kernel.saveWithCounters(wanted);
    }

    @Override
    public Optional<String> listChain(Family wanted, Table table, String chain) {
        return kernel.listChain(wanted, table, chain);
    }

    @Override
    public Optional<List<Long>> ruleHandles(Family wanted, Table table, String chain) {
        return kernel.ruleHandles(wanted, table, chain);
    }

    @Override
    public RestoreResult restore(Family wanted, String script) {
        return kernel.restore(wanted, script);
    }

    @Override
    public Hold hold(Family wanted) {
        return kernel.hold(wanted);
    }
}
