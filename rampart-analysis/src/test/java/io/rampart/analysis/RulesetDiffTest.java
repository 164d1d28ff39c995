package io.rampart.analysis;

import static io.rampart.analysis.Rulesets.filter;
import static io.rampart.analysis.Rulesets.side;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import org.junit.jupiter.api.Test;

class RulesetDiffTest {

    private static final String[] SSH_WEB = {
        "-A INPUT -i lo -j ACCEPT",
        "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT",
        "-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT",
        "-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT"};

    private static RulesetDiff.Result diff(String a, String b) {
        return RulesetDiff.compare(side("a.rules", a, Family.IPV4), side("b.rules", b, Family.IPV4), 5,
                NameDatabase.system());
    }

    @Test
    void aRulesetEqualsItself() {
        String a = filter("DROP", "DROP", "ACCEPT", SSH_WEB);
        assertThat(diff(a, a).equivalent()).isTrue();
    }

    @Test
    void portsMergedIntoMultiportAreEquivalent() {
        String a = filter("DROP", "DROP", "ACCEPT", SSH_WEB);
        String b = filter("DROP", "DROP", "ACCEPT", "-A INPUT -i lo -j ACCEPT",
                "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                "-A INPUT -p tcp -m multiport --dports 443,22,80 -j ACCEPT");
        assertThat(diff(a, b).equivalent()).isTrue();
    }

    @Test
    void disjointRulesReorderedAreEquivalent() {
        String a = filter("DROP", "DROP", "ACCEPT", SSH_WEB);
        String b = filter("DROP", "DROP", "ACCEPT", "-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT",
                "-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT", "-A INPUT -i lo -j ACCEPT",
                "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT",
                "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
        assertThat(diff(a, b).equivalent()).isTrue();
    }

    @Test
    void aChainSplitIntoUserChainsIsEquivalent() {
        String a = filter("DROP", "DROP", "ACCEPT", SSH_WEB);
        String b = filter("DROP", "DROP", "ACCEPT", ":WEB - [0:0]", ":SSH - [0:0]",
                "-A INPUT -i lo -j ACCEPT",
                "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                "-A INPUT -p tcp -j SSH", "-A INPUT -p tcp -g WEB",
                "-A SSH -p tcp -m tcp ! --dport 22 -j RETURN", "-A SSH -j ACCEPT",
                "-A WEB -p tcp -m multiport --dports 80,443 -j ACCEPT", "-A WEB -j DROP");
        assertThat(diff(a, b).equivalent()).isTrue();
    }

    @Test
    void aLengthOrAnEcnBitDecidesAndTheCounterexampleCarriesIt() {
        String a = filter("ACCEPT", "ACCEPT", "ACCEPT");
        RulesetDiff.Result length = diff(a, filter("ACCEPT", "ACCEPT", "ACCEPT",
                "-A INPUT -p udp -m length --length 1000:65535 -j DROP"));
        assertThat(length.differences()).hasSize(1);
        RulesetDiff.Difference big = length.differences().get(0);
        assertThat(big.region()).isEqualTo("udp, length 1000-65535");
        assertThat(big.onlyIf()).isEmpty();
        assertThat(big.traced()).isTrue();
        assertThat(big.packet()).containsEntry("length", "1000");
        RulesetDiff.Result ecn = diff(a, filter("ACCEPT", "ACCEPT", "ACCEPT",
                "-A INPUT -p tcp -m ecn --ecn-tcp-cwr ! --ecn-ip-ect 0 -j DROP"));
        RulesetDiff.Difference congested = ecn.differences().get(0);
        assertThat(congested.onlyIf()).isEmpty();
        assertThat(congested.traced()).isTrue();
        assertThat(congested.packet().get("tcp_flags")).contains("CWR");
        assertThat(congested.packet()).containsKey("tos");
    }

    @Test
    void overlappingRulesReorderedDifferWhereTheyOverlap() {
        String a = filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -s 192.0.2.0/24 -j ACCEPT",
                "-A INPUT -p tcp -m tcp --dport 22 -j DROP");
        String b = filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -p tcp -m tcp --dport 22 -j DROP",
                "-A INPUT -s 192.0.2.0/24 -j ACCEPT");
        RulesetDiff.Result result = diff(a, b);
        assertThat(result.equivalent()).isFalse();
        assertThat(result.differences()).hasSize(1);
        RulesetDiff.Difference d = result.differences().get(0);
        assertThat(d.region()).isEqualTo("tcp, port 22, from 192.0.2.0/24");
        assertThat(d.exact()).isTrue();
        assertThat(d.a().where()).isEqualTo("a.rules:5");
        assertThat(d.b().where()).isEqualTo("b.rules:5");
        assertThat(d.traced()).isTrue();
        assertThat(d.packet()).containsEntry("dport", "22").containsEntry("src", "192.0.2.1");
    }

    @Test
    void aPortLeftOutOfMultiportIsTheRegion() {
        String a = filter("DROP", "DROP", "ACCEPT", SSH_WEB);
        String b = filter("DROP", "DROP", "ACCEPT", "-A INPUT -i lo -j ACCEPT",
                "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                "-A INPUT -p tcp -m multiport --dports 22,80 -j ACCEPT");
        RulesetDiff.Result result = diff(a, b);
        assertThat(result.differences()).singleElement().satisfies(d -> {
            assertThat(d.region()).isEqualTo("tcp, in on any interface but lo, state any but ESTABLISHED, RELATED,"
                    + " port 443");
            assertThat(d.a().verdict()).isEqualTo("ACCEPT");
            assertThat(d.b().verdict()).isEqualTo("DROP");
            assertThat(d.b().where()).isEqualTo("policy of INPUT");
            assertThat(d.flags()).contains("--dport 443");
        });
    }

    @Test
    void anExceptionForASourceIsTheRegionsComplement() {
        String a = filter("DROP", "DROP", "ACCEPT", "-A INPUT -d 10.0.0.0/24 -p tcp -m tcp --dport 22 -j ACCEPT");
        String b = filter("DROP", "DROP", "ACCEPT", "-A INPUT -s 192.0.2.0/24 -j DROP",
                "-A INPUT -d 10.0.0.0/24 -p tcp -m tcp --dport 22 -j ACCEPT", "-A INPUT -j DROP");
        RulesetDiff.Result result = RulesetDiff.compare(side("a.rules", b, Family.IPV4),
                side("b.rules", filter("DROP", "DROP", "ACCEPT"), Family.IPV4), 5, NameDatabase.system());
        assertThat(result.differences()).singleElement().satisfies(d -> {
            assertThat(d.region()).isEqualTo("tcp, to 10.0.0.0/24, port 22,"
                    + " from anywhere but 192.0.2.0/24");
            assertThat(d.a().where()).isEqualTo("a.rules:6");
        });
        assertThat(diff(a, b).differences()).singleElement()
                .satisfies(d -> assertThat(d.region()).contains("from 192.0.2.0/24"));
    }

    @Test
    void rejectAndDropAreDifferentVerdicts() {
        String a = filter("ACCEPT", "ACCEPT", "ACCEPT", "-A FORWARD -o eth1 -j DROP");
        String b = filter("ACCEPT", "ACCEPT", "ACCEPT", "-A FORWARD -o eth1 -j REJECT");
        assertThat(diff(a, b).differences()).singleElement().satisfies(d -> {
            assertThat(d.chain()).isEqualTo("FORWARD");
            assertThat(d.region()).isEqualTo("out on eth1");
            assertThat(d.b().verdict()).startsWith("REJECT --reject-with");
        });
    }

    @Test
    void aDifferenceThatHangsOnAnUnmodelledMatchSaysSo() {
        String a = filter("DROP", "DROP", "ACCEPT", "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT");
        String b = filter("DROP", "DROP", "ACCEPT",
                "-A INPUT -p tcp -m tcp --dport 22 -m statistic --mode random --probability 0.5 -j ACCEPT");
        RulesetDiff.Result result = diff(a, b);
        assertThat(result.equivalent()).isFalse();
        assertThat(result.differences()).singleElement().satisfies(d -> {
            assertThat(d.onlyIf()).singleElement().asString().contains("-m statistic").endsWith("does not match");
            assertThat(d.traced()).isFalse();
        });
    }

    @Test
    void theSameUnmodelledMatchInBothIsTheSameCondition() {
        String a = filter("DROP", "DROP", "ACCEPT", "-A INPUT -p tcp -m length --length 0:100 -j ACCEPT");
        String b = filter("DROP", "DROP", "ACCEPT", ":X - [0:0]", "-A INPUT -j X",
                "-A X -p tcp -m length --length 0:100 -j ACCEPT");
        assertThat(diff(a, b).equivalent()).isTrue();
    }

    @Test
    void aMarkNoRuleReadsChangesNothing() {
        String a = "*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j MARK --set-xmark 0x1/0xffffffff\nCOMMIT\n"
                + filter("ACCEPT", "ACCEPT", "ACCEPT");
        assertThat(diff(a, filter("ACCEPT", "ACCEPT", "ACCEPT")).equivalent()).isTrue();
    }

    @Test
    void aMarkSetInFilterIsReadByItsLaterRules() {
        String a = filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -j MARK --set-xmark 0x1/0xffffffff",
                "-A INPUT -m mark --mark 0x1 -j DROP");
        RulesetDiff.Result result = diff(a, filter("ACCEPT", "ACCEPT", "ACCEPT"));
        assertThat(result.differences()).singleElement().satisfies(d -> {
            assertThat(d.chain()).isEqualTo("INPUT");
            assertThat(d.region()).isEqualTo("every packet");
            assertThat(d.a().where()).isEqualTo("a.rules:6");
            assertThat(d.traced()).isTrue();
        });
    }

    @Test
    void rulesetsOfDifferentFamiliesAreRefused() {
        String text = filter("ACCEPT", "ACCEPT", "ACCEPT");
        assertThatThrownBy(() -> RulesetDiff.compare(side("a.rules", text, Family.IPV4),
                side("b.rules", text, Family.IPV6), 5,
                        NameDatabase.system())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one family");
    }

    @Test
    void theListStopsAtMax() {
        String a = filter("DROP", "DROP", "DROP", "-A INPUT -p tcp -m tcp --dport 1 -j ACCEPT",
                "-A INPUT -p tcp -m tcp --dport 3 -j ACCEPT", "-A INPUT -p tcp -m tcp --dport 5 -j ACCEPT");
        RulesetDiff.Result result = RulesetDiff.compare(side("a.rules", a, Family.IPV4),
                side("b.rules", filter("DROP", "DROP", "DROP"), Family.IPV4), 2, NameDatabase.system());
        assertThat(result.differences()).hasSize(2);
        assertThat(result.more()).isTrue();
    }

    @Test
    void ipv6RulesetsCompare() {
        String a = filter("DROP", "DROP", "ACCEPT", "-A INPUT -s 2001:db8::/32 -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT");
        RulesetDiff.Result result = RulesetDiff.compare(side("a.rules", a, Family.IPV6),
                side("b.rules", filter("DROP", "DROP", "ACCEPT"), Family.IPV6), 5, NameDatabase.system());
        assertThat(result.differences()).singleElement().satisfies(d -> {
            assertThat(d.region()).contains("from 2001:db8::/32").contains("icmp type 128");
            assertThat(d.traced()).isTrue();
        });
    }
}
