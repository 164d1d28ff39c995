package io.rampart.cli;

import io.rampart.lb.LbHost;
import io.rampart.model.Family;
import io.rampart.reconcile.Xtables;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.SystemException;
import io.rampart.system.SystemXtables;
import io.rampart.system.WriterLock;
import java.util.List;

/** The load balancer's view of the system: iptables and the forwarding sysctl of one namespace. */
final class LbKernel implements LbHost {

    private final Netns netns;
    private final WriterLock.Waiting waiting;

    LbKernel(Netns netns, WriterLock.Waiting waiting) {
        this.netns = netns;
        this.waiting = waiting;
    }

    @Override
    public Xtables xtables() {
        return new SystemXtables(netns, waiting);
    }

    @Override
    public String saveNatWithCounters(Family family) {
        ProcessResult saved = netns.run(List.of(family.command() + "-save", "-c", "-t", "nat"), "");
        if (!saved.ok()) {
            throw new SystemException(family.command() + "-save -c -t nat failed: " + saved.failure());
        }
        return saved.stdout();
    }

    @Override
    public void enableForwarding(Family family) {
        // Inside `ip netns exec', /proc/sys/net is the namespace's own.
        String sysctl = family == Family.IPV4 ? "/proc/sys/net/ipv4/ip_forward"
                : "/proc/sys/net/ipv6/conf/all/forwarding";
        ProcessResult result = netns.run(List.of("sh", "-c", "echo 1 > " + sysctl), "");
        if (!result.ok()) {
            throw new SystemException("cannot turn on forwarding (" + sysctl + "): " + result.failure());
        }
    }
}
