package io.rampart.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class IptablesTest {

    /** {@code nft list chains ip} after iptables-restore of filter INPUT and nat POSTROUTING rules. */
    private static final String NFT_CHAINS = """
            table ip filter {
            \tchain INPUT {
            \t\ttype filter hook input priority filter; policy accept;
            \t}
            \tchain WEB {
            \t}
            }
            table ip nat {
            \tchain POSTROUTING {
            \t\ttype nat hook postrouting priority srcnat; policy accept;
            \t}
            }
            """;

    private static final String SAVED = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :WEB - [0:0]
            -A INPUT -j WEB
            COMMIT
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A POSTROUTING -j MASQUERADE
            COMMIT
            """;

    @Test
    void baseChainsAreTheChainsWithAHook() {
        assertThat(Iptables.baseChains(NFT_CHAINS)).containsExactlyInAnyOrder("filter/INPUT", "nat/POSTROUTING");
    }

    @Test
    void builtInChainsTheKernelDoesNotHaveAreLeftOutUserChainsStay() {
        assertThat(Iptables.withoutMissingBuiltins(SAVED, Iptables.baseChains(NFT_CHAINS))).isEqualTo("""
                *filter
                :INPUT ACCEPT [0:0]
                :WEB - [0:0]
                -A INPUT -j WEB
                COMMIT
                *nat
                :POSTROUTING ACCEPT [0:0]
                -A POSTROUTING -j MASQUERADE
                COMMIT
                """);
        assertThat(Iptables.withoutMissingBuiltins(SAVED, Set.of())).doesNotContain(":INPUT", ":POSTROUTING")
                .contains(":WEB - [0:0]");
    }
}
