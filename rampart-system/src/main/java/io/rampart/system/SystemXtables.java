package io.rampart.system;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.reconcile.Xtables;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The reconciler's view of the kernel, through the system's iptables-save and iptables-restore. */
public final class SystemXtables implements Xtables {

    private final Netns netns;
    private final WriterLock.Waiting waiting;
    private final Optional<EarlySave> early;

    /** Writers wait for each other as {@link WriterLock.Waiting#standard()} says. */
    public SystemXtables(Netns netns) {
        this(netns, WriterLock.Waiting.standard());
    }

    public SystemXtables(Netns netns, WriterLock.Waiting waiting) {
        this(netns, waiting, Optional.empty());
    }

    /** The first save of {@code early}'s family is the dump {@code early} started. */
    public SystemXtables(Netns netns, WriterLock.Waiting waiting, Optional<EarlySave> early) {
        this.netns = netns;
        this.waiting = waiting;
        this.early = early;
    }

    @Override
    public Hold hold(Family family) {
        return WriterLock.hold(netns, family, waiting)::close;
    }

    @Override
    public String save(Family family) {
        return early.flatMap(dump -> dump.take(family)).orElseGet(() -> new Iptables(netns, family).saveWithComments());
    }

    @Override
    public String saveWithCounters(Family family) {
        return new Iptables(netns, family).saveWithCounters();
    }

    /** {@code iptables -t TABLE -S CHAIN}; any failure (no such chain, above all) leaves it to a full read. */
    @Override
    public Optional<String> listChain(Family family, Table table, String chain) {
        ProcessResult result = new Iptables(netns, family).run(table, List.of("-S", chain));
        return result.ok() ? Optional.of(result.stdout()) : Optional.empty();
    }

    @Override
    public RestoreResult restore(Family family, String script) {
        // A write outside any writer's hold still waits its turn for the write itself.
        try (Hold held = hold(family)) {
            ProcessResult result = new Iptables(netns, family).restore(script, true);
            // `ip netns exec' becomes iptables-restore (it execs, not forks): the id is the writer's.
            return new RestoreResult(result.ok(), result.stderr(), OptionalLong.of(result.pid()));
        }
    }
}
