package io.rampart.system.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
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
}
