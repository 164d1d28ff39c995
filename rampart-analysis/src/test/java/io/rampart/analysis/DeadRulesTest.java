package io.rampart.analysis;

import static io.rampart.analysis.Rulesets.filter;
import static io.rampart.analysis.Rulesets.side;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Family;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeadRulesTest {

    private static List<String> findings(String text) {
        RulesetDiff.Side side = side("a.rules", text, Family.IPV4);
        return DeadRules.find(side.ruleset(), side.locations()).stream()
                .map(f -> f.kind() + " " + side.locations().of(f.table(), f.rule()) + ": " + f.message()).toList();
    }

    /**
     * {@code pairs} rules, the i-th accepting packets with bit i of both the destination and the source
     * set (masks of one bit): with every destination variable above every source one, the packets
     * that pass them all need a node for each set of destination bits seen, 2^pairs of them.
     */
    static String crossedBits(int pairs) {
        List<String> rules = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            String bit = io.rampart.model.extension.Addresses.format(java.nio.ByteBuffer.allocate(4).putInt(1 << i).array());
            rules.add("-A INPUT -d " + bit + "/" + bit + " -s " + bit + "/" + bit + " -j ACCEPT");
        }
        return filter("DROP", "DROP", "ACCEPT", rules.toArray(String[]::new));
    }

    @Test
    void theAnalysisStopsAtItsBoundAndOnlyThere() {
        RulesetDiff.Side side = side("a.rules", crossedBits(10), Family.IPV4);
        assertThat(DeadRules.find(side.ruleset(), side.locations())).isEmpty();
        assertThatThrownBy(() -> DeadRules.find(side.ruleset(), side.locations(), 2_000))
                .isInstanceOf(AnalysisBoundException.class)
                .hasMessage("the analysis needs more than 2000 decision-diagram nodes");
    }

    @Test
    void aSmallRulesetWhoseDiagramsGrowPastTheDefaultBoundStops() {
        RulesetDiff.Side side = side("a.rules", crossedBits(24), Family.IPV4);
        assertThatThrownBy(() -> DeadRules.find(side.ruleset(), side.locations()))
                .isInstanceOf(AnalysisBoundException.class)
                .hasMessage("the analysis needs more than " + (1 << 21) + " decision-diagram nodes");
    }

    @Test
    void aRuleCoveredByTwoEarlierRulesNeverMatchesAndNamesBoth() {
        assertThat(findings(filter("DROP", "DROP", "ACCEPT",
                "-A INPUT -s 10.0.0.0/9 -p tcp -j ACCEPT",
                "-A INPUT -s 10.128.0.0/9 -j DROP",
                "-A INPUT -s 10.1.2.0/24 -p tcp -m tcp --dport 22 -j REJECT",
                "-A INPUT -p udp -j ACCEPT")))
                .containsExactly("UNREACHABLE a.rules:7: rule never matches: every packet it matches is taken before it"
                        + " by a.rules:5");
    }

    @Test
    void coverageThroughAUserChainOnEveryPathIsFound() {
        // SSH is entered only with tcp port 22, so its udp rule never matches; its last rule repeats the policy.
        assertThat(findings(filter("DROP", "DROP", "ACCEPT", ":SSH - [0:0]",
                "-A INPUT -p tcp -m tcp --dport 22 -j SSH",
                "-A SSH -s 192.0.2.0/24 -j ACCEPT",
                "-A SSH -p udp -j ACCEPT",
                "-A SSH -s 198.51.100.0/24 -j RETURN")))
                .containsExactly("UNREACHABLE a.rules:8: rule never matches: no packet that reaches chain SSH (from a.rules:6)"
                                + " matches it",
                        "REDUNDANT a.rules:9: rule changes nothing: without it the packets it decides go back from SSH"
                                + " anyway, by the end of chain SSH");
    }

    @Test
    void aRuleThatRepeatsWhatFollowsChangesNothing() {
        assertThat(findings(filter("DROP", "DROP", "ACCEPT",
                "-A INPUT -s 192.0.2.1/32 -p tcp -m tcp --dport 80 -j ACCEPT",
                "-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT",
                "-A INPUT -s 192.0.2.0/24 -j DROP")))
                .containsExactly("REDUNDANT a.rules:5: rule changes nothing: without it the packets it decides get ACCEPT"
                        + " anyway, by a.rules:6", "REDUNDANT a.rules:7: rule changes nothing: without it the packets it"
                        + " decides get DROP anyway, by the policy of INPUT");
    }

    @Test
    void unmodelledMatchesNeverCoverAndLiveRulesAreNotReported() {
        assertThat(findings(filter("DROP", "DROP", "ACCEPT", ":OUT - [0:0]",
                "-A INPUT -p tcp -m limit --limit 5/sec -j ACCEPT",
                "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT",
                "-A INPUT -i lo -j ACCEPT",
                "-A OUTPUT -j OUT",
                "-A OUT -i lo -j DROP"))).containsExactly(
                "UNREACHABLE a.rules:10: rule never matches: no packet that reaches chain OUT (from a.rules:9) matches it");
    }

    @Test
    void marksSetByEarlierRulesAndTablesAreFollowed() {
        String unreachable = "rule never matches: no packet that reaches it matches it, through what the rules"
                + " before it (in this table and the tables before) do to packets";
        String text = "*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j MARK --set-xmark 0x1/0xffffffff\n"
                + "-A PREROUTING -m mark --mark 0x2 -j ACCEPT\n-A PREROUTING -m mark --mark 0x1 -j ACCEPT\nCOMMIT\n"
                + "*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -m conntrack --ctstate ESTABLISHED"
                + " -j DNAT --to-destination 10.0.0.1\nCOMMIT\n"
                + filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -m mark --mark 0x0 -j DROP",
                        "-A FORWARD -m mark --mark 0x1 -j DROP");
        assertThat(findings(text)).containsExactly("UNREACHABLE a.rules:4: " + unreachable,
                "UNREACHABLE a.rules:9: " + unreachable, "UNREACHABLE a.rules:15: " + unreachable);
    }

    @Test
    void aUserChainsRuleIsRedundantWhenItsCallerDecidesTheReturningPacketsAlike() {
        // Without FROMLAN's rule its packets go back to INPUT, whose next rule accepts them; so does the jump.
        assertThat(findings(filter("DROP", "DROP", "ACCEPT", ":FROMLAN - [0:0]",
                "-A INPUT -s 10.0.0.0/8 -j FROMLAN",
                "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT",
                "-A FROMLAN -p tcp -m tcp --dport 22 -j ACCEPT")))
                .containsExactly("REDUNDANT a.rules:6: rule changes nothing: without it the packets FROMLAN decides get"
                                + " the same verdict anyway, by a.rules:7",
                        "REDUNDANT a.rules:8: rule changes nothing: without it the packets it decides get ACCEPT anyway,"
                                + " by a.rules:7");
    }

    @Test
    void ofACallersRuleAndTheUserChainsRuleBeforeItOnlyTheUnreachableCallersRuleIsReported() {
        // INPUT's second rule is never reached; removing it and FROMLAN's rule both would drop ssh from 10/8.
        assertThat(findings(filter("DROP", "DROP", "ACCEPT", ":FROMLAN - [0:0]",
                "-A INPUT -s 10.0.0.0/8 -j FROMLAN",
                "-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT",
                "-A FROMLAN -p tcp -m tcp --dport 22 -j ACCEPT")))
                .containsExactly("UNREACHABLE a.rules:7: rule never matches: every packet it matches is taken before it"
                        + " by a.rules:6");
    }

    @Test
    void aRuleIsRedundantOnlyWhenEveryCallerDecidesItsPacketsAlike() {
        // FORWARD's policy drops what C sends back: C's rule matters there, though not for INPUT.
        assertThat(findings(filter("DROP", "DROP", "ACCEPT", ":C - [0:0]",
                "-A INPUT -j C",
                "-A INPUT -p tcp -j ACCEPT",
                "-A FORWARD -j C",
                "-A C -s 10.0.0.0/8 -p tcp -j ACCEPT")))
                .containsExactly("REDUNDANT a.rules:6: rule changes nothing: without it the packets C decides get the"
                        + " same verdict anyway, by a.rules:7");
    }

    @Test
    void aVerdictTheCallersPoliciesWouldRepeatIsNotReported() {
        // LOGDROP's DROP and BLOCK's say what becomes of their packets wherever the chains are called from.
        assertThat(findings(filter("DROP", "DROP", "ACCEPT", ":LOGDROP - [0:0]", ":BLOCK - [0:0]",
                "-A INPUT -p tcp -m tcp --dport 23 -j LOGDROP",
                "-A INPUT -j BLOCK",
                "-A FORWARD -j BLOCK",
                "-A LOGDROP -j LOG --log-prefix \"telnet: \"",
                "-A LOGDROP -j DROP",
                "-A BLOCK -s 192.0.2.0/24 -j DROP")))
                .containsExactly("REDUNDANT a.rules:8: rule changes nothing: without it the packets BLOCK decides get"
                                + " the same verdict anyway, by the policy of INPUT",
                        "REDUNDANT a.rules:9: rule changes nothing: without it the packets BLOCK decides get"
                                + " the same verdict anyway, by the policy of FORWARD");
    }

    @Test
    void aReturnIsRedundantWhenTheChainDecidesItsPacketsAsTheCallerWould() {
        assertThat(findings(filter("ACCEPT", "DROP", "ACCEPT", ":C - [0:0]",
                "-A INPUT -j C",
                "-A INPUT -p tcp -j DROP",
                "-A C -p tcp -m tcp --dport 22 -j RETURN",
                "-A C -s 10.0.0.0/8 -p tcp -j DROP")))
                .containsExactly("REDUNDANT a.rules:6: rule changes nothing: without it the packets C decides get the"
                                + " same verdict anyway, by a.rules:7",
                        "REDUNDANT a.rules:8: rule changes nothing: without it the packets it sends back from C get the"
                                + " verdict they get there anyway, by a.rules:9, the end of chain C",
                        "REDUNDANT a.rules:9: rule changes nothing: without it the packets it decides get DROP anyway,"
                                + " by a.rules:7");
    }

    @Test
    void whatAChainEnteredByAGotoSendsBackGoesBackFromTheChainThatWentThere() {
        // B's packets go back from A, entered by a jump from INPUT, whose next rule accepts them.
        assertThat(findings(filter("DROP", "DROP", "ACCEPT", ":A - [0:0]", ":B - [0:0]",
                "-A INPUT -j A",
                "-A INPUT -p tcp -j ACCEPT",
                "-A A -s 10.0.0.0/8 -g B",
                "-A B -p tcp -m tcp --dport 22 -j ACCEPT")))
                .containsExactly("REDUNDANT a.rules:7: rule changes nothing: without it the packets A decides get the"
                                + " same verdict anyway, by a.rules:8",
                        "REDUNDANT a.rules:9: rule changes nothing: without it the packets B decides get the same verdict"
                                + " anyway, by the end of chain A, a.rules:8",
                        "REDUNDANT a.rules:10: rule changes nothing: without it the packets it decides get ACCEPT anyway,"
                                + " by a.rules:8");
    }
}
