package io.rampart.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Family;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** Which family a rule of a table for both goes to, and which words are no address at all. */
class FamilyRouterTest {

    @Test
    void addressesNetworksRangesAndPortsAreClassified() {
        assertThat(FamilyRouter.addressFamily("192.0.2.1")).isEqualTo(Family.IPV4);
        assertThat(FamilyRouter.addressFamily("10.0.0.0/8")).isEqualTo(Family.IPV4);
        assertThat(FamilyRouter.addressFamily("10.0.0.1-10.0.0.9")).isEqualTo(Family.IPV4);
        assertThat(FamilyRouter.addressFamily("10.0.0.1:8080")).isEqualTo(Family.IPV4);
        assertThat(FamilyRouter.addressFamily("2001:db8::1")).isEqualTo(Family.IPV6);
        assertThat(FamilyRouter.addressFamily("2001:db8::/32")).isEqualTo(Family.IPV6);
        assertThat(FamilyRouter.addressFamily("[2001:db8::1]:443")).isEqualTo(Family.IPV6);
        assertThat(FamilyRouter.addressFamily("2001:db8:0:0:0:0:0:1")).isEqualTo(Family.IPV6);
        assertThat(FamilyRouter.addressFamily("::ffff:192.0.2.1")).isEqualTo(Family.IPV6);
    }

    @Test
    void namesPortRangesTimesAndMacAddressesAreNoAddress() {
        assertThat(FamilyRouter.addressFamily("example.net")).isNull();
        assertThat(FamilyRouter.addressFamily("1024:65535")).isNull();
        assertThat(FamilyRouter.addressFamily("08:30:00")).isNull();
        assertThat(FamilyRouter.addressFamily("00:11:22:33:44:55")).isNull();
    }

    @Test
    void aRuleGoesWhereItsWordsPoint() throws LanguageException {
        assertThat(FamilyRouter.route("-A INPUT -i lo -j ACCEPT")).isEqualTo(EnumSet.allOf(Family.class));
        assertThat(FamilyRouter.route("-A INPUT -s 10.0.0.1,10.0.0.2 -j ACCEPT")).containsExactly(Family.IPV4);
        assertThat(FamilyRouter.route("-A PREROUTING -j DNAT --to-destination [2001:db8::1]:80"))
                .containsExactly(Family.IPV6);
        assertThat(FamilyRouter.route("-A INPUT -p icmpv6 -j ACCEPT")).containsExactly(Family.IPV6);
        assertThat(FamilyRouter.route("-A POSTROUTING -j SNPT --src-pfx 2001:db8::/48 --dst-pfx fd00:1::/48"))
                .containsExactly(Family.IPV6);
        assertThat(FamilyRouter.route("-A PREROUTING -j TEE --gateway 192.0.2.1")).containsExactly(Family.IPV4);
        assertThat(FamilyRouter.route("-A INPUT -m comment --comment \"10.0.0.1\" -j ACCEPT"))
                .isEqualTo(EnumSet.allOf(Family.class));
        assertThat(FamilyRouter.route("-A INPUT -m string --algo bm --from 0 --to 64 --string x -j DROP"))
                .isEqualTo(EnumSet.allOf(Family.class));
        assertThat(FamilyRouter.route("-6 -A INPUT -j REJECT --reject-with tcp-reset"))
                .containsExactly(Family.IPV6);
    }

    @Test
    void aRuleNamingBothFamiliesIsRefusedAtTheSecondFamilysWord() {
        assertThatThrownBy(() -> FamilyRouter.route("-A INPUT -s 10.0.0.1,2001:db8::1 -j ACCEPT"))
                .isInstanceOfSatisfying(LanguageException.class, e -> assertThat(e.problem())
                        .isEqualTo("rule mixes IPv4 (`10.0.0.1') and IPv6 (`2001:db8::1')"));
        assertThatThrownBy(() -> FamilyRouter.route("-A INPUT -j REJECT --reject-with icmp6-adm-prohibited -6 -p icmp"))
                .isInstanceOf(LanguageException.class);
    }
}
