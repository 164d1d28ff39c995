package io.rampart.system;

import io.rampart.model.Family;
import io.rampart.reconcile.Xtables;

/** The reconciler's view of the kernel, through the system's iptables-save and iptables-restore. */
public final class SystemXtables implements Xtables {

    private final Netns netns;
    private final WriterLock.Waiting waiting;

    /** Writers wait for each other as {@link WriterLock.Waiting#standard()} says. */
    public SystemXtables(Netns netns) {
        this(netns, WriterLock.Waiting.standard());
    }

    public SystemXtables(Netns netns, WriterLock.Waiting waiting) {
        this.netns = netns;
        this.waiting = waiting;
    }

    @Override
    public Hold hold(Family family) {
        return WriterLock.hold(netns, family, waiting)::close;
    }

    @Override
    public String save(Family family) {
        return new Iptables(netns, family).saveWithComments();
    }

    @Override
    public String saveWithCounters(Family family) {
        return new Iptables(netns, family).saveWithCounters();
    }

    @Override
    public RestoreResult restore(Family family, String script) {
        // A write outside any writer's hold still waits its turn for the write itself.
        try (Hold held = hold(family)) {
            ProcessResult result = new Iptables(netns, family).restore(script, true);
            return new RestoreResult(result.ok(), result.stderr());
        }
    }
}
