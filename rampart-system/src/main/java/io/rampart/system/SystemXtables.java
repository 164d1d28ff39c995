package io.rampart.system;

import io.rampart.model.Family;
import io.rampart.reconcile.Xtables;

/** The reconciler's view of the kernel, through the system's iptables-save and iptables-restore. */
public final class SystemXtables implements Xtables {

    private final Netns netns;

    public SystemXtables(Netns netns) {
        this.netns = netns;
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
        ProcessResult result = new Iptables(netns, family).restore(script, true);
        return new RestoreResult(result.ok(), result.stderr());
    }
}
