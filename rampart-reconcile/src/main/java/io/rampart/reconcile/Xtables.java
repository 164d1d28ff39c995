package io.rampart.reconcile;

import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Table;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

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

    /**
     * One chain as {@code iptables -t TABLE -S CHAIN} prints it: its {@code -P CHAIN POLICY} or
     * {@code -N CHAIN} line, then its rules as iptables-save prints them; empty when it cannot be
     * listed alone (no such chain). Costs one small process where {@link #save} dumps everything;
     * a boundary that cannot list one chain cuts it out of {@code save}.
     */
    default Optional<String> listChain(Family family, Table table, String chain) {
        return LiveState.parse(save(family)).table(table).filter(t -> t.has(chain)).map(t -> {
            Chain declared = t.chains().get(chain);
            StringBuilder text = new StringBuilder(declared.policy() == null ? "-N " + chain
                    : "-P " + chain + " " + declared.policy().name()).append('\n');
            t.rulesOf(chain).forEach(rule -> text.append(rule).append('\n'));
            return text.toString();
        });
    }

    /**
     * The kernel's handles of one chain's rules, in the chain's order ({@code nft -a list chain}):
     * a handle names one rule until it is deleted, and is never given to another. Empty where the
     * boundary cannot tell (legacy iptables, a fake, a chain nft cannot name). Cheaper than
     * {@link #listChain} on nf_tables, as iptables-nft also fetches the built-in chains' rules.
     */
    default Optional<List<Long>> ruleHandles(Family family, Table table, String chain) {
        return Optional.empty();
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

    /**
     * How a restore ended; {@code message} is what iptables-restore said when it refused.
     *
     * @param writer the process that wrote, as the kernel's change events name it; empty where none is known
     */
    record RestoreResult(boolean ok, String message, OptionalLong writer) {

        /** A restore by no process the kernel's events would name, such as a fake's. */
        public RestoreResult(boolean ok, String message) {
            this(ok, message, OptionalLong.empty());
        }
    }
}
