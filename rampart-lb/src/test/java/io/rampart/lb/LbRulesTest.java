package io.rampart.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LbRulesTest {

    private final LbRules rules = new LbRules(StandardExtensions.registry());

    private static Profile profile(String name, String source, List<String> destinations, Mode mode, boolean log)
            throws LbException {
        List<Destination> parsed = new ArrayList<>();
        for (String destination : destinations) {
            parsed.add(Destination.parse(destination, "d"));
        }
        return Profile.of(name, Endpoint.parse(source, "s"), parsed, Protocol.UDP, mode, log, 6, true);
    }

    @Test
    void aProfileIsAChainOfDnatRulesWithKubeProxysProbabilities() throws Exception {
        Profile dns = profile("dns", "192.0.2.1:53", List.of("10.0.0.1:53*2", "10.0.0.2:53", "10.0.0.3:53"),
                Mode.PROXY, true);
        DesiredState desired = rules.desired(Family.IPV4, List.of(dns));
        assertThat(LbRules.chainLines(desired, dns)).containsExactly(
                "-A IPTLB_NAT_DNS -j LOG --log-prefix \"IPTLB:DNS: \" --log-level 6",
                "-A IPTLB_NAT_DNS -p udp -m statistic --mode random --probability 0.50000000000 -j DNAT"
                        + " --to-destination 10.0.0.1:53",
                "-A IPTLB_NAT_DNS -p udp -m statistic --mode random --probability 0.50000000000 -j DNAT"
                        + " --to-destination 10.0.0.2:53",
                "-A IPTLB_NAT_DNS -p udp -j DNAT --to-destination 10.0.0.3:53");
        var nat = desired.table(Table.NAT).orElseThrow();
        assertThat(nat.rulesOf("PREROUTING")).extracting(DesiredState.DesiredRule::line).containsExactly(
                "-A PREROUTING -d 192.0.2.1/32 -p udp -m udp --dport 53 -j IPTLB_NAT_DNS");
        assertThat(nat.rulesOf("POSTROUTING")).extracting(DesiredState.DesiredRule::line).containsExactly(
                "-A POSTROUTING -p udp -m conntrack --ctstate DNAT --ctorigdst 192.0.2.1 --ctorigdstport 53"
                        + " -j MASQUERADE");
        assertThat(nat.chain("PREROUTING").orElseThrow().sharing()).isEqualTo(Chain.Sharing.HEAD);
    }

    @Test
    void clientCapturesInOutputAndServerInPrerouting() throws Exception {
        Profile client = profile("c", "192.0.2.1:53", List.of("10.0.0.1:53"), Mode.CLIENT, false);
        Profile server = profile("s", "192.0.2.2:53", List.of("10.0.0.1:53"), Mode.SERVER, false);
        var nat = rules.desired(Family.IPV4, List.of(client, server)).table(Table.NAT).orElseThrow();
        assertThat(nat.rulesOf("OUTPUT")).extracting(DesiredState.DesiredRule::line)
                .containsExactly("-A OUTPUT -d 192.0.2.1/32 -p udp -m udp --dport 53 -j IPTLB_NAT_C");
        assertThat(nat.rulesOf("PREROUTING")).extracting(DesiredState.DesiredRule::line)
                .containsExactly("-A PREROUTING -d 192.0.2.2/32 -p udp -m udp --dport 53 -j IPTLB_NAT_S");
        assertThat(nat.rulesOf("POSTROUTING")).isEmpty();
    }

    @Test
    void logPrefixesFitTheKernelsTwentyNineCharacters() throws Exception {
        Profile longName = profile("a-rather-long-profile-name-indeed", "192.0.2.1:53", List.of("10.0.0.1:53"),
                Mode.CLIENT, true);
        String log = LbRules.chainRules(longName).get(0);
        String prefix = log.substring(log.indexOf('"') + 1, log.lastIndexOf('"'));
        assertThat(prefix).hasSizeLessThanOrEqualTo(29).startsWith("IPTLB:A_RATHER_LO-");
    }

    @Test
    void ipv6ProfilesUseBracketedDestinations() throws Exception {
        Profile v6 = profile("v6", "[2001:DB8:0::10]:53", List.of("[2001:db8::1]:53", "[2001:db8::2]:53"),
                Mode.CLIENT, false);
        assertThat(LbRules.chainLines(rules.desired(Family.IPV6, List.of(v6)), v6)).containsExactly(
                "-A IPTLB_NAT_V6 -p udp -m statistic --mode random --probability 0.50000000000 -j DNAT"
                        + " --to-destination [2001:db8::1]:53",
                "-A IPTLB_NAT_V6 -p udp -j DNAT --to-destination [2001:db8::2]:53");
    }
}
