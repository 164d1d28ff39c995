package io.rampart.analysis;

import static io.rampart.analysis.Rulesets.filter;
import static io.rampart.analysis.Rulesets.side;
import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Targets that rewrite the TTL and the TOS byte, followed exactly, and targets whose effect the
 * analysis cannot compute (HMARK's hash, TPROXY's sockets, SYNPROXY's cookies), whose results say
 * they hang on them.
 */
class TargetEffectsDiffTest {

    private static final String HMARK = "-j HMARK --hmark-src-prefix 32 --hmark-dst-prefix 32 --hmark-sport-mask"
            + " 0xffff --hmark-dport-mask 0xffff --hmark-proto-mask 0xff --hmark-rnd 0x1 --hmark-mod 2"
            + " --hmark-offset 16";

    private static RulesetDiff.Result diff(String a, String b) {
        return RulesetDiff.compare(side("a.rules", a, Family.IPV4), side("b.rules", b, Family.IPV4), 5,
                NameDatabase.system());
    }

    private static String mangle(String... prerouting) {
        StringBuilder b = new StringBuilder("*mangle\n:PREROUTING ACCEPT [0:0]\n");
        for (String rule : prerouting) {
            b.append("-A PREROUTING ").append(rule).append('\n');
        }
        return b.append("COMMIT\n").toString();
    }

    @Test
    void aTtlOfOneSetBeforeRoutingExpiresEveryForwardedPacket() {
        RulesetDiff.Result result = diff(mangle("-j TTL --ttl-set 1"), filter("ACCEPT", "ACCEPT", "ACCEPT"));
        assertThat(result.differences()).singleElement().satisfies(d -> {
            assertThat(d.chain()).isEqualTo("FORWARD");
            assertThat(d.region()).isEqualTo("every packet");
            assertThat(d.a().where()).isEqualTo(Pipeline.TTL_EXPIRED);
            assertThat(d.b().verdict()).isEqualTo("ACCEPT");
            assertThat(d.traced()).isTrue();
        });
    }

    @Test
    void packetsArrivingWithTheirLastHopDifferOnlyWhereARuleRaisesTheirTtl() {
        RulesetDiff.Result result = diff(mangle("-j TTL --ttl-inc 1"), filter("ACCEPT", "ACCEPT", "ACCEPT"));
        assertThat(result.differences()).singleElement().satisfies(d -> {
            assertThat(d.chain()).isEqualTo("FORWARD");
            assertThat(d.region()).isEqualTo("ttl 1");
            assertThat(d.a().verdict()).isEqualTo("ACCEPT");
            assertThat(d.b().where()).isEqualTo(Pipeline.TTL_EXPIRED);
            assertThat(d.packet()).containsEntry("ttl", "1");
            assertThat(d.traced()).isTrue();
        });
    }

    @Test
    void aTtlMatchAfterADecreaseSeesTheDecreasedValueStoppingAtZero() {
        String a = "*mangle\n:INPUT ACCEPT [0:0]\n-A INPUT -j TTL --ttl-dec 10\nCOMMIT\n"
                + filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -m ttl --ttl-eq 0 -j DROP");
        String b = filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -m ttl --ttl-lt 11 -j DROP");
        assertThat(diff(a, b).equivalent()).isTrue();
        String c = filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -m ttl --ttl-lt 10 -j DROP");
        assertThat(diff(a, c).differences()).singleElement().satisfies(d -> {
            assertThat(d.chain()).isEqualTo("INPUT");
            assertThat(d.region()).isEqualTo("ttl 10");
            assertThat(d.traced()).isTrue();
        });
    }

    @Test
    void anIpv6HopLimitSetIsWhatLaterHlMatchesSee() {
        String a = "*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j HL --hl-set 7\nCOMMIT\n"
                + filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -m hl --hl-eq 7 -j DROP");
        String b = "*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j HL --hl-set 7\nCOMMIT\n"
                + filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -j DROP", "-A FORWARD -m hl --hl-eq 6 -j DROP");
        RulesetDiff.Result result = RulesetDiff.compare(side("a.rules", a, Family.IPV6), side("b.rules", b,
                Family.IPV6), 5, NameDatabase.system());
        // Forwarded packets are routed with hop limit 7 and meet FORWARD with 6.
        assertThat(result.differences()).singleElement().satisfies(d -> {
            assertThat(d.chain()).isEqualTo("FORWARD");
            assertThat(d.region()).isEqualTo("every packet");
            assertThat(d.b().where()).isEqualTo("b.rules:10");
            assertThat(d.traced()).isTrue();
        });
    }

    @Test
    void aTranslationThatChangesNothingLeavesTheConnectionUntranslated() {
        String nat = "*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -d 10.0.0.0/24 -j NETMAP --to 10.0.0.0/24\n"
                + "COMMIT\n";
        // A connection's first packet: a later one may belong to a connection translated before.
        String a = nat + filter("ACCEPT", "ACCEPT", "ACCEPT",
                "-A INPUT -m state --state NEW -m conntrack --ctstate DNAT -j DROP");
        assertThat(diff(a, filter("ACCEPT", "ACCEPT", "ACCEPT")).equivalent()).isTrue();
        String moved = a.replace("--to 10.0.0.0/24", "--to 10.0.1.0/24");
        assertThat(diff(moved, filter("ACCEPT", "ACCEPT", "ACCEPT")).differences()).singleElement().satisfies(d -> {
            assertThat(d.chain()).isEqualTo("INPUT");
            assertThat(d.region()).contains("to 10.0.0.0/24");
            assertThat(d.traced()).isTrue();
        });
    }

    @Test
    void anEstablishedPacketMeetsTheMarkEarlierPacketsLeftOnItsConnection() {
        // The rule marks a connection on its second packet and drops every later one: not the same as no rule.
        String marking = filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -m connmark --mark 0x5 -j DROP",
                "-A INPUT -m conntrack --ctstate ESTABLISHED -j CONNMARK --set-mark 0x5");
        RulesetDiff.Result result = diff(marking, filter("ACCEPT", "ACCEPT", "ACCEPT"));
        assertThat(result.differences()).singleElement().satisfies(d -> {
            assertThat(d.chain()).isEqualTo("INPUT");
            assertThat(d.region()).isEqualTo("state ESTABLISHED, RELATED, connection mark 0x5/0xffffffff");
            assertThat(d.packet()).containsEntry("ct_mark", "0x5").containsEntry("ct_state", "ESTABLISHED");
            assertThat(d.a().where()).isEqualTo("a.rules:5");
            assertThat(d.traced()).isTrue();
        });
        // A first packet's connection has no mark yet, whatever the rules do to later ones.
        String newOnly = filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -m state --state NEW -m connmark --mark 0x5"
                + " -j DROP");
        assertThat(diff(newOnly, filter("ACCEPT", "ACCEPT", "ACCEPT")).equivalent()).isTrue();
    }

    @Test
    void anEstablishedPacketsConnectionMayHaveBeenTranslated() {
        String dropTranslated = filter("ACCEPT", "ACCEPT", "ACCEPT", "-A FORWARD -m conntrack --ctstate DNAT -j DROP");
        assertThat(diff(dropTranslated, filter("ACCEPT", "ACCEPT", "ACCEPT")).differences()).singleElement()
                .satisfies(d -> {
                    assertThat(d.chain()).isEqualTo("FORWARD");
                    assertThat(d.region()).isEqualTo("state ESTABLISHED, RELATED, connection translated by DNAT");
                    assertThat(d.packet()).containsEntry("ct_nat", "DNAT");
                    assertThat(d.traced()).isTrue();
                });
    }

    @Test
    void aTosMatchAfterARewriteSeesTheRewrittenByte() {
        // --set-tos 0x10/0x3f keeps the two upper bits and sets the rest to 010000.
        String a = mangle("-j TOS --set-tos 0x10/0x3f") + filter("ACCEPT", "ACCEPT", "ACCEPT",
                "-A INPUT -m tos --tos 0x10/0x3f -j DROP");
        assertThat(diff(a, filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -j DROP")).equivalent()).isTrue();
        // --xor-tos flips bits: the packets that match after it are those that arrived without them.
        String flipped = mangle("-j TOS --xor-tos 0x4") + filter("ACCEPT", "ACCEPT", "ACCEPT",
                "-A INPUT -m tos --tos 0x4/0x4 -j DROP");
        String arrived = filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -m tos ! --tos 0x4/0x4 -j DROP");
        assertThat(diff(flipped, arrived).equivalent()).isTrue();
    }

    @Test
    void aDscpSetIsTheTosByteUpperSixBitsAndKeepsEcn() {
        String a = mangle("-j DSCP --set-dscp 0x2e") + filter("ACCEPT", "ACCEPT", "ACCEPT",
                "-A INPUT -m dscp --dscp 0x2e -m tos --tos 0x1/0x3 -j DROP");
        String b = filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -m tos --tos 0x1/0x3 -j DROP");
        assertThat(diff(a, b).equivalent()).isTrue();
    }

    @Test
    void aMarkHmarkSetsMakesTheDifferencesThatReadItConditional() {
        String a = mangle(HMARK) + filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -m mark --mark 0x10 -j DROP");
        String b = mangle(HMARK) + filter("ACCEPT", "ACCEPT", "ACCEPT");
        RulesetDiff.Result result = diff(a, b);
        assertThat(result.differences()).isNotEmpty().allSatisfy(d -> {
            assertThat(d.traced()).isFalse();
            assertThat(d.onlyIf()).singleElement().asString().startsWith("`-j HMARK").contains("a.rules:3")
                    .endsWith("sets the mark that way");
        });
        // The same HMARK in both on the same packets: whatever it sets, both rulesets see the same mark.
        assertThat(diff(a, a).equivalent()).isTrue();
        // HMARK sets a mark from its offset on, never 0x5: a rule for that mark never matches.
        String never = mangle(HMARK) + filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -m mark --mark 0x5 -j DROP");
        assertThat(diff(never, b).equivalent()).isTrue();
    }

    @Test
    void whatHmarkDoesNotTouchStaysExactAndIsTraced() {
        String a = mangle(HMARK) + filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -p tcp -m tcp --dport 22 -j DROP");
        String b = mangle(HMARK) + filter("ACCEPT", "ACCEPT", "ACCEPT");
        assertThat(diff(a, b).differences()).singleElement().satisfies(d -> {
            assertThat(d.region()).isEqualTo("tcp, port 22");
            assertThat(d.onlyIf()).isEmpty();
            assertThat(d.traced()).isTrue();
        });
    }

    @Test
    void aTargetWhoseVerdictOnlyTheKernelKnowsMakesEveryAnswerOnItsPacketsHangOnIt() {
        String tproxy = mangle("-p tcp -j TPROXY --on-port 3128");
        assertThat(diff(tproxy, tproxy).equivalent()).isTrue();
        RulesetDiff.Result result = RulesetDiff.compare(side("a.rules", tproxy, Family.IPV4), side("b.rules",
                filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -p tcp -j REJECT"), Family.IPV4), 50,
                NameDatabase.system());
        assertThat(result.differences()).isNotEmpty().allSatisfy(d -> {
            assertThat(d.traced()).isFalse();
            assertThat(String.join("\n", d.onlyIf())).contains("-j TPROXY --on-port 3128").contains("a.rules:3");
        });
        List<String> chains = result.differences().stream().map(RulesetDiff.Difference::chain).toList();
        assertThat(chains).contains("INPUT", "FORWARD");
    }

    @Test
    void aQueuedPacketsVerdictIsTheReadingProgramsSoOnlyAQueueLikeItDecidesAlike() {
        String queued = filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -p udp -j NFQUEUE --queue-num 3");
        String same = filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -p udp -j NFQUEUE --queue-num 3");
        assertThat(diff(queued, same).equivalent()).isTrue();
        // Not as a drop: a program reading the queue may accept them.
        RulesetDiff.Result dropped = diff(queued, filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -p udp -j DROP"));
        assertThat(dropped.differences()).isNotEmpty().allSatisfy(d -> {
            assertThat(d.traced()).isFalse();
            assertThat(String.join("\n", d.onlyIf())).contains("-j NFQUEUE --queue-num 3").contains("a.rules:5")
                    .contains("ends in ACCEPT");
        });
        // Nor as an accept.
        RulesetDiff.Result accepted = diff(queued, filter("ACCEPT", "ACCEPT", "ACCEPT"));
        assertThat(accepted.differences()).isNotEmpty().allSatisfy(d ->
                assertThat(String.join("\n", d.onlyIf())).contains("ends in DROP"));
        // Packets the queue does not take are compared exactly: tcp is accepted by both.
        assertThat(dropped.differences()).allSatisfy(d -> assertThat(d.flags()).contains("--proto 17"));
    }

    @Test
    void synproxyTakesASynItselfAndLeavesAnAckToItsCookie() {
        String a = filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -p tcp -m tcp --dport 80 -j SYNPROXY --mss 1460");
        String b = filter("ACCEPT", "ACCEPT", "ACCEPT", "-A INPUT -p tcp -m tcp --dport 80 --tcp-flags"
                + " FIN,SYN,RST,ACK SYN -j DROP");
        RulesetDiff.Result result = diff(a, b);
        assertThat(result.differences()).isNotEmpty().allSatisfy(d -> {
            assertThat(d.region()).contains("flags ACK");
            assertThat(d.traced()).isFalse();
            assertThat(String.join("\n", d.onlyIf())).contains("-j SYNPROXY");
        });
    }
}
