package io.rampart.system.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Table;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Which lines of {@code nft monitor} make the agent look at the kernel. */
class KernelMonitorTest {

    @Test
    void tellsChangesOfTheFamilysTablesFromOthers() {
        assertThat(KernelMonitor.concerns("delete rule ip filter INPUT handle 5", Family.IPV4)).isTrue();
        assertThat(KernelMonitor.concerns("add chain ip nat POSTROUTING { type nat hook postrouting priority srcnat;"
                + " policy accept; }", Family.IPV4)).isTrue();
        assertThat(KernelMonitor.concerns("delete table ip mangle", Family.IPV4)).isTrue();
        assertThat(KernelMonitor.concerns("add rule ip6 filter INPUT counter packets 0 bytes 0 accept", Family.IPV4))
                .isFalse();
        assertThat(KernelMonitor.concerns("add rule ip6 filter INPUT counter packets 0 bytes 0 accept", Family.IPV6))
                .isTrue();
        assertThat(KernelMonitor.concerns("add table inet x", Family.IPV4)).isFalse();
        assertThat(KernelMonitor.concerns("add table ip mytable", Family.IPV4)).isFalse();
        assertThat(KernelMonitor.concerns("# new generation 5 by process 22490 (iptables)", Family.IPV4)).isFalse();
    }

    /** What nft 1.0 printed here for iptables -A, -D, -P, -N, -E and iptables-restore (see KernelMonitor). */
    @Test
    void pinsAChangeToItsChainOnlyWhereTheLineIsCertain() {
        assertThat(KernelMonitor.change("add rule ip filter FOO ip saddr 1.2.3.4 counter packets 0 bytes 0 accept",
                Family.IPV4)).contains(new KernelMonitor.Change.OfChain(Table.FILTER, "FOO"));
        assertThat(KernelMonitor.change("delete rule ip filter FOO handle 2", Family.IPV4))
                .contains(new KernelMonitor.Change.RuleDeleted(Table.FILTER, "FOO", 2));
        assertThat(KernelMonitor.change("delete rule ip filter FOO", Family.IPV4)).as("no handle: a flush")
                .contains(new KernelMonitor.Change.OfChain(Table.FILTER, "FOO"));
        assertThat(KernelMonitor.change("add chain ip filter INPUT { type filter hook input priority filter; policy drop; }",
                Family.IPV4)).contains(new KernelMonitor.Change.OfChain(Table.FILTER, "INPUT"));
        assertThat(KernelMonitor.change("create chain ip nat BAR", Family.IPV4))
                .contains(new KernelMonitor.Change.OfChain(Table.NAT, "BAR"));
        assertThat(KernelMonitor.change("delete chain ip filter BAZ", Family.IPV4))
                .contains(new KernelMonitor.Change.OfChain(Table.FILTER, "BAZ"));
        // iptables -E BAR BAZ: only the new name is printed
        assertThat(KernelMonitor.change("add chain ip filter BAZ", Family.IPV4)).get()
                .isInstanceOf(KernelMonitor.Change.Uncertain.class);
        assertThat(KernelMonitor.change("delete table ip filter", Family.IPV4)).get()
                .isInstanceOf(KernelMonitor.Change.Uncertain.class);
        assertThat(KernelMonitor.change("# ERROR: We lost some netlink events!", Family.IPV4)).get()
                .isInstanceOf(KernelMonitor.Change.Lost.class);
        assertThat(KernelMonitor.change("add rule ip6 filter FOO counter accept", Family.IPV4)).isEmpty();
    }

    /** Each transaction ends in one line, with the process that made it: what a writer tells its own changes by. */
    @Test
    void endsEachTransactionWithTheProcessThatMadeIt() {
        assertThat(KernelMonitor.change("# new generation 5 by process 22490 (iptables)", Family.IPV4))
                .contains(new KernelMonitor.Change.Committed(OptionalLong.of(22490)));
        assertThat(KernelMonitor.change("# new generation 5 by process 22490 (iptables-restor)", Family.IPV6))
                .contains(new KernelMonitor.Change.Committed(OptionalLong.of(22490)));
        assertThat(KernelMonitor.change("# new generation 5", Family.IPV4))
                .contains(new KernelMonitor.Change.Committed(OptionalLong.empty()));
    }
}
