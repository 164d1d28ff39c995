package io.rampart.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Family;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.SourcedRuleset;
import java.util.List;
import org.junit.jupiter.api.Test;

class TracerTest {

    static final String HOST = """
            {"ip_forward": true,
             "addresses": [{"interface": "eth0", "address": "203.0.113.1/24"},
                           {"interface": "eth1", "address": "10.0.0.1/24"}],
             "routes": [{"dst": "203.0.113.0/24", "dev": "eth0"}, {"dst": "10.0.0.0/24", "dev": "eth1"}]}
            """;

    private static final String RULES = """
            *raw
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A PREROUTING -p udp --dport 53 -j CT --notrack
            COMMIT
            *mangle
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -p tcp --dport 25 -j MARK --set-mark 0x10/0xf0
            -A FORWARD -m mark --mark 0x10/0xf0 -j TTL --ttl-set 9
            COMMIT
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.5:80
            -A POSTROUTING -o eth1 -j MASQUERADE
            COMMIT
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :WEB - [0:0]
            :TAIL - [0:0]
            -A INPUT -m conntrack --ctstate INVALID -j DROP
            -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT
            -A INPUT -p tcp --dport 22 -j ACCEPT
            -A FORWARD -p tcp -j WEB
            -A FORWARD -m conntrack --ctstate DNAT -j ACCEPT
            -A WEB -s 192.0.2.0/24 -j RETURN
            -A WEB -p tcp --dport 25 -g TAIL
            -A WEB -p tcp --dport 80 -j LOG
            -A TAIL -m ttl --ttl-eq 9 -j ACCEPT
            COMMIT
            """;

    private final Tracer tracer = tracer(RULES, HOST, Assumptions.none());

    /** Names fixed by the test rather than read from this host: iptables' own. */
    private static final HostNames NAMES = NameDatabase.builtin();

    static Tracer tracer(String rules, String host, Assumptions assumptions) {
        return tracer(rules, host, assumptions, Family.IPV4);
    }

    static Tracer tracer(String rules, String host, Assumptions assumptions, Family family) {
        try {
            SourcedRuleset parsed = new RulesetParser(StandardExtensions.registry(), family,
                    NameDatabase.system()).parseWithLines(rules);
            CompiledRuleset ruleset = CompiledRuleset.of(parsed.ruleset(),
                    (table, index) -> "router.rules:" + parsed.lineOf(table, index));
            return new Tracer(ruleset, HostFiles.fromHostFile(host, family), assumptions, true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Packet packet(String... keyValues) throws TraceInputException {
        PacketSpec spec = new PacketSpec().set("in", "eth0").set("src", "198.51.100.7").set("dst", "203.0.113.1");
        for (int i = 0; i < keyValues.length; i += 2) {
            spec.set(keyValues[i], keyValues[i + 1]);
        }
        return spec.build(Family.IPV4);
    }

    static List<String> steps(Trace trace) {
        return KernelTraceLog.of(trace);
    }

    @Test
    void dnatReroutesToForwardingAndMasqueradeRewritesTheSource() throws Exception {
        Trace trace = tracer.trace(packet("dport", "8080"));
        assertThat(steps(trace)).containsExactly("raw PREROUTING policy ACCEPT", "mangle PREROUTING policy ACCEPT",
                "nat PREROUTING 1 ACCEPT", "mangle FORWARD policy ACCEPT", "filter FORWARD 1 JUMP:WEB",
                "filter WEB 3 CONTINUE", "filter FORWARD 2 ACCEPT", "mangle POSTROUTING policy ACCEPT",
                "nat POSTROUTING 1 ACCEPT");
        assertThat(trace.verdict()).isEqualTo("ACCEPT");
        assertThat(trace.packet().srcText()).isEqualTo("10.0.0.1");
        assertThat(trace.packet().dstText()).isEqualTo("10.0.0.5");
        assertThat(trace.packet().dport()).isEqualTo(80);
        assertThat(trace.packet().out()).isEqualTo("eth1");
        assertThat(trace.packet().ttl()).isEqualTo(63);
    }

    /** A file without a nat table, naming only filter INPUT and FORWARD: the packet meets nothing else. */
    @Test
    void anEstablishedPacketMeetsItsConnectionsMarkAndNatAndLeavesWithWhatTheRulesSet() throws Exception {
        Tracer marking = tracer("""
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                -A INPUT -m connmark --mark 0x5 -j DROP
                -A INPUT -m conntrack --ctstate DNAT -j DROP
                -A INPUT -m conntrack --ctstate ESTABLISHED -j CONNMARK --set-mark 0x5
                COMMIT
                """, HOST, Assumptions.none());
        assertThat(steps(marking.trace(packet("ct_state", "ESTABLISHED", "ct_mark", "0x5"))))
                .containsExactly("filter INPUT 1 DROP");
        assertThat(steps(marking.trace(packet("ct_state", "ESTABLISHED", "ct_nat", "DNAT"))))
                .containsExactly("filter INPUT 2 DROP");
        Trace unmarked = marking.trace(packet("ct_state", "ESTABLISHED"));
        assertThat(unmarked.verdict()).isEqualTo("ACCEPT");
        assertThat(unmarked.packet().ctMark()).isEqualTo(5);
        // A first packet's connection is new: nothing marked or translated it yet.
        assertThatThrownBy(() -> packet("ct_mark", "0x5")).isInstanceOf(TraceInputException.class)
                .hasMessageContaining("ESTABLISHED or RELATED");
        assertThatThrownBy(() -> packet("ct_state", "RELATED", "ct_nat", "XNAT"))
                .isInstanceOf(TraceInputException.class).hasMessageContaining("SNAT, DNAT");
    }

    @Test
    void tablesAndBuiltInChainsTheFileDoesNotNameAreNotWalked() throws Exception {
        Tracer filterOnly = tracer("""
                *filter
                :FORWARD DROP [0:0]
                -A INPUT -p tcp --dport 22 -j ACCEPT
                COMMIT
                """, HOST, Assumptions.none());
        assertThat(steps(filterOnly.trace(packet("dst", "10.0.0.5", "dport", "8080"))))
                .containsExactly("filter FORWARD policy DROP");
        assertThat(steps(filterOnly.trace(packet("dport", "80")))).containsExactly("filter INPUT policy ACCEPT");
        assertThat(steps(filterOnly.trace(packet("proto", "udp", "dport", "53", "local", "true", "in", null, "src", "10.0.0.1",
                "dst", "10.0.0.5"))))
                .isEmpty();
    }

    @Test
    void returnGoesBackToTheCallerAndTheBuiltinPolicyDecides() throws Exception {
        Trace trace = tracer.trace(packet("src", "192.0.2.9", "dst", "10.0.0.5", "dport", "443"));
        assertThat(steps(trace)).containsSubsequence("filter FORWARD 1 JUMP:WEB", "filter WEB 1 RETURN",
                "filter FORWARD policy DROP");
        assertThat(trace.verdict()).isEqualTo("DROP");
    }

    @Test
    void gotoReturnsToTheBuiltinChainsCallerAndMarksCarryToLaterHooks() throws Exception {
        Trace trace = tracer.trace(packet("dst", "10.0.0.5", "dport", "25"));
        assertThat(steps(trace)).containsSubsequence("mangle PREROUTING 1 CONTINUE", "mangle FORWARD 1 CONTINUE",
                "filter WEB 2 GOTO:TAIL", "filter TAIL 1 ACCEPT");
        assertThat(trace.packet().mark()).isEqualTo(0x10);
        assertThat(trace.packet().ttl()).isEqualTo(9);
    }

    @Test
    void conntrackDecidesTheStateOfAFirstPacket() throws Exception {
        assertThat(steps(tracer.trace(packet("tcp_flags", "SYN,ACK", "dport", "22"))))
                .contains("filter INPUT 1 DROP");
        assertThat(steps(tracer.trace(packet("tcp_flags", "ACK", "dport", "22")))).contains("filter INPUT 4 ACCEPT");
        assertThat(steps(tracer.trace(packet("proto", "icmp", "icmp_type", "echo-reply"))))
                .contains("filter INPUT 1 DROP");
        assertThat(steps(tracer.trace(packet("proto", "udp", "dport", "53")))).contains("raw PREROUTING 1 CONTINUE",
                "filter INPUT 3 ACCEPT");
        Trace established = tracer.trace(packet("dport", "8080", "ct_state", "ESTABLISHED"));
        assertThat(steps(established)).doesNotContain("nat PREROUTING 1 ACCEPT").contains("filter INPUT 2 ACCEPT");
    }

    @Test
    void untrackedPacketsSkipNatAndExpiringTtlEndsBeforeForward() throws Exception {
        Trace untracked = tracer.trace(packet("proto", "udp", "dport", "53", "dst", "10.0.0.5"));
        assertThat(steps(untracked)).noneMatch(s -> s.startsWith("nat"));
        Trace dying = tracer.trace(packet("dst", "10.0.0.5", "dport", "443", "ttl", "1"));
        assertThat(steps(dying)).noneMatch(s -> s.contains("FORWARD"));
        assertThat(dying.verdict()).isEqualTo("DROP");
        assertThat(dying.notes()).anyMatch(n -> n.contains("TTL 1"));
        Trace nowhere = tracer.trace(packet("dst", "192.0.2.200"));
        assertThat(nowhere.notes()).anyMatch(n -> n.startsWith("no route"));
    }

    @Test
    void explainNamesTheFirstFailingCondition() throws Exception {
        Trace trace = tracer.trace(packet("dport", "23"));
        Step policy = trace.steps().get(trace.steps().size() - 1);
        assertThat(policy.passed()).extracting(Step.Miss::failed).contains("-m conntrack --ctstate INVALID",
                "-m tcp --dport 22");
        assertThat(policy.passed().get(0).source()).isEqualTo("router.rules:29");
        assertThat(policy.source()).isNull();
        assertThat(TraceText.render(trace, true)).contains("[router.rules:29]");
        assertThat(TraceJson.line(trace, true, NAMES)).contains("\"source\":\"router.rules:29\"}");
    }

    @Test
    void chanceMatchesAreAssumedAndSaidSo() throws Exception {
        String rules = """
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                -A INPUT -m statistic --mode random --probability 0.25 -j DROP
                COMMIT
                """;
        Trace assumed = tracer(rules, HOST, Assumptions.none()).trace(packet());
        assertThat(assumed.verdict()).isEqualTo("DROP");
        assertThat(assumed.notes()).first().asString().contains("statistic=nomatch");
        assertThat(assumed.branches()).extracting(Trace.Branch::probability).containsExactly(0.25, 0.75);
        assertThat(assumed.branches()).extracting(br -> br.trace().verdict()).containsExactly("DROP", "ACCEPT");
        assertThat(assumed.branches().get(1).choices()).containsExactly("filter INPUT rule 1 does not match");
        Trace other = tracer(rules, HOST, Assumptions.parse(List.of("statistic=nomatch"))).trace(packet());
        assertThat(other.verdict()).isEqualTo("ACCEPT");
        assertThat(other.notes()).isEmpty();
        assertThat(other.branches()).isEmpty();
    }

    /** A filter table whose INPUT has {@code policy} and {@code rules}, FORWARD and OUTPUT accepting. */
    private static String filter(String policy, String... rules) {
        return "*filter\n:INPUT " + policy + " [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + String.join("\n", rules) + "\nCOMMIT\n";
    }

    private static final String UNDECIDABLE = filter("ACCEPT",
            "-A INPUT -p udp -m set --match-set blocked src -j DROP",
            "-A INPUT -m set --match-set blocked src -m tcp --dport 22 -j DROP",
            "-A INPUT -m set --match-set blocked src -j DROP");

    @Test
    void aMatchTheTracerCannotEvaluateStopsTheTraceAtItsRule() throws Exception {
        Trace trace = tracer(UNDECIDABLE, HOST, Assumptions.none()).trace(packet("proto", "tcp", "dport", "80"));
        assertThat(trace.verdict()).isEqualTo(Trace.UNDECIDED);
        assertThat(trace.undecided().rule()).as("rules 1 and 2 fail on what the tracer evaluates").isEqualTo(3);
        assertThat(trace.undecided().condition()).isEqualTo("-m set --match-set blocked src");
        assertThat(trace.undecided().source()).isEqualTo("router.rules:7");
        assertThat(steps(trace)).isEmpty();
        assertThat(TraceText.render(trace, false)).contains("undecided at filter INPUT #3: `-m set --match-set"
                + " blocked src' (ipset contents are kernel state the tracer does not read); --assume set=match or"
                + " set=nomatch decides it").contains("verdict: UNDECIDED");
        assertThat(TraceJson.line(trace, false, NAMES)).contains("\"verdict\":\"UNDECIDED\"").contains("\"undecided\":"
                + "{\"table\":\"filter\",\"chain\":\"INPUT\",\"rule\":3,");
    }

    @Test
    void anAssumptionDecidesAMatchTheTracerCannotEvaluate() throws Exception {
        Trace blocked = tracer(UNDECIDABLE, HOST, Assumptions.parse(List.of("set=match"))).trace(packet("proto", "tcp",
                "dport", "22"));
        assertThat(blocked.verdict()).isEqualTo("DROP");
        assertThat(blocked.isUndecided()).isFalse();
        assertThat(steps(blocked)).containsExactly("filter INPUT 2 DROP");
        Trace passed = tracer(UNDECIDABLE, HOST, Assumptions.parse(List.of("set=nomatch"))).trace(packet("proto",
                "tcp", "dport", "22"));
        assertThat(passed.verdict()).isEqualTo("ACCEPT");
        assertThat(steps(passed)).containsExactly("filter INPUT policy ACCEPT");
        assertThat(TraceJson.line(passed, false, NAMES)).doesNotContain("undecided");
    }

    private static final String IPSEC = filter("DROP",
            "-A INPUT -p esp -m esp --espspi 0x1000:0x1fff -j ACCEPT",
            "-A INPUT -p ah -m ah ! --ahspi 7 -j ACCEPT",
            "-A INPUT -p ipcomp -m ipcomp --ipcompspi 300 -j ACCEPT",
            "-A INPUT -p dccp -m dccp --dport 5000:5010 -j ACCEPT",
            "-A INPUT -m nfacct --nfacct-name seen -p dccp -m dccp --dccp-types REQUEST -j ACCEPT");

    @Test
    void ipsecRulesAreDecidedByTheSpiOfThePacket() throws Exception {
        Tracer ipsec = tracer(IPSEC, HOST, Assumptions.none());
        assertThat(steps(ipsec.trace(packet("proto", "esp", "spi", "0x1800")))).containsExactly(
                "filter INPUT 1 ACCEPT");
        assertThat(ipsec.trace(packet("proto", "esp", "spi", "0x2000")).verdict()).isEqualTo("DROP");
        assertThat(ipsec.trace(packet("proto", "ah", "spi", "7")).verdict()).isEqualTo("DROP");
        Trace ah = ipsec.trace(packet("proto", "ah"));
        assertThat(ah.steps()).last().extracting(Step::rule).isEqualTo(2);
        assertThat(TraceJson.line(ah, false, NAMES)).contains("\"spi\":256");
        assertThat(ipsec.trace(packet("proto", "ipcomp", "spi", "300")).verdict()).isEqualTo("ACCEPT");
    }

    @Test
    void dccpPortsAreDecidedAndItsPacketTypesAreNot() throws Exception {
        Tracer dccp = tracer(IPSEC, HOST, Assumptions.none());
        assertThat(dccp.trace(packet("proto", "dccp", "dport", "5005")).verdict()).isEqualTo("ACCEPT");
        Trace other = dccp.trace(packet("proto", "dccp", "dport", "22"));
        assertThat(other.verdict()).as("nfacct matches every packet; the DCCP type is not modelled")
                .isEqualTo(Trace.UNDECIDED);
        assertThat(other.undecided().condition()).isEqualTo("-m dccp --dccp-types REQUEST");
        assertThat(other.undecided().rule()).isEqualTo(5);
    }

    @Test
    void ipv6ExtensionHeaderMatchesFailOnPacketsWithoutThatHeader() throws Exception {
        String rules = filter("ACCEPT", "-A INPUT -m hbh --hbh-len 8 -j DROP", "-A INPUT -m frag ! --fragid 5 -j DROP",
                "-A INPUT -m ah ! --ahspi 9 -j DROP", "-A INPUT -m srh --srh-tag 3 -j DROP");
        SourcedRuleset parsed = new RulesetParser(StandardExtensions.registry(), Family.IPV6,
                NameDatabase.system()).parseWithLines(rules);
        Tracer v6 = new Tracer(CompiledRuleset.of(parsed.ruleset(), (table, index) -> null), Host.unknown(),
                Assumptions.none(), false);
        PacketSpec spec = new PacketSpec().set("in", "eth0").set("src", "2001:db8::1").set("dst", "2001:db8::2");
        assertThat(v6.trace(spec.build(Family.IPV6)).verdict()).isEqualTo("ACCEPT");
        assertThat(v6.trace(spec.set("proto", "ah").set("spi", "9").build(Family.IPV6)).verdict()).isEqualTo("ACCEPT");
        assertThat(v6.trace(spec.set("spi", "10").build(Family.IPV6)).steps()).last().extracting(Step::rule)
                .isEqualTo(3);
    }

    @Test
    void connectionCountsAreAssumedLikeOtherHistory() throws Exception {
        String rules = filter("ACCEPT",
                "-A INPUT -m connbytes --connbytes 1000000: --connbytes-mode bytes --connbytes-dir both -j DROP");
        Trace assumed = tracer(rules, HOST, Assumptions.none()).trace(packet());
        assertThat(assumed.verdict()).isEqualTo("DROP");
        assertThat(assumed.notes()).anyMatch(n -> n.contains("--assume connbytes=nomatch"));
        assertThat(tracer(rules, HOST, Assumptions.parse(List.of("connbytes=nomatch"))).trace(packet()).verdict())
                .isEqualTo("ACCEPT");
    }

    @Test
    void aRandomLoadBalancingSplitShowsEveryBranchWithItsProbability() throws Exception {
        String rules = """
                *nat
                :PREROUTING ACCEPT [0:0]
                :INPUT ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                :POSTROUTING ACCEPT [0:0]
                -A PREROUTING -m statistic --mode random --probability 0.25 -j DNAT --to-destination 10.0.0.7
                -A PREROUTING -m statistic --mode random --probability 0.5 -j DNAT --to-destination 10.0.0.8
                -A PREROUTING -j DNAT --to-destination 10.0.0.9
                COMMIT
                """;
        Trace trace = tracer(rules, HOST, Assumptions.none()).trace(packet());
        assertThat(trace.branches()).extracting(Trace.Branch::probability).containsExactly(0.25, 0.375, 0.375);
        assertThat(trace.branches()).extracting(br -> br.trace().steps().get(0).rule()).containsExactly(1, 2, 3);
        assertThat(trace.branches().get(2).choices()).containsExactly("nat PREROUTING rule 1 does not match",
                "nat PREROUTING rule 2 does not match");
        assertThat(trace.notes()).anyMatch(n -> n.contains("3 branches"));
        assertThat(TraceText.render(trace, false)).contains("branch 3 of 3, probability 0.375");
        assertThat(TraceJson.line(trace, false, NAMES)).contains("\"branches\":[{\"probability\":0.25");
    }

    @Test
    void aTranslationToTheSameAddressDoesNotMarkTheConnectionTranslated() throws Exception {
        // nf_nat_setup_info sets IPS_DST_NAT only when the new tuple differs from the old.
        String rules = """
                *nat
                :PREROUTING ACCEPT [0:0]
                :INPUT ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                :POSTROUTING ACCEPT [0:0]
                -A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 203.0.113.1
                -A PREROUTING -p tcp -m tcp --dport 81 -j DNAT --to-destination 203.0.113.1:80
                COMMIT
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                -A INPUT -m conntrack --ctstate DNAT -j DROP
                COMMIT
                """;
        Tracer natted = tracer(rules, HOST, Assumptions.none());
        assertThat(natted.trace(packet("dport", "80")).verdict()).isEqualTo("ACCEPT");
        assertThat(natted.trace(packet("dport", "81")).verdict()).isEqualTo("DROP");
    }

    @Test
    void theJsonNamesTheProtocolByTheNamesGiven() throws Exception {
        Trace gre = tracer.trace(new PacketSpec(NAMES).set("in", "eth0").set("src", "198.51.100.7")
                .set("dst", "203.0.113.1").set("proto", "47").build(Family.IPV4));
        assertThat(TraceJson.line(gre, false, NAMES)).contains("\"proto\":\"47\"");
        assertThat(TraceJson.line(tracer.trace(packet("dport", "22")), false, NAMES)).contains("\"proto\":\"tcp\"");
        assertThatThrownBy(() -> new PacketSpec(NAMES).set("proto", "gre").build(Family.IPV4))
                .isInstanceOf(TraceInputException.class).hasMessageContaining("unknown protocol `gre'");
    }

    @Test
    void aTcpFlagNameThatIsNoFlagIsRefused() throws Exception {
        assertThat(packet("tcp_flags", "syn,ack,ece").tcpFlags()).isEqualTo(Packet.SYN | Packet.ACK | Packet.ECE);
        assertThat(packet("tcp_flags", "none").tcpFlags()).isZero();
        for (String bad : List.of("SYN,AKC", "SYN,", "")) {
            assertThatThrownBy(() -> packet("tcp_flags", bad)).isInstanceOf(TraceInputException.class)
                    .hasMessageContaining("tcp_flags `" + bad + "'").hasMessageContaining("is no TCP flag");
        }
    }

    @Test
    void localPacketsGoThroughOutputAndPostrouting() throws Exception {
        Trace trace = tracer.trace(packet("local", "true", "in", null, "src", "10.0.0.1", "dst", "10.0.0.9"));
        assertThat(steps(trace)).containsExactly("raw OUTPUT policy ACCEPT", "mangle OUTPUT policy ACCEPT",
                "nat OUTPUT policy ACCEPT", "filter OUTPUT policy ACCEPT", "mangle POSTROUTING policy ACCEPT",
                "nat POSTROUTING 1 ACCEPT");
    }

    @Test
    void aLocalPacketNatOutputTranslatesToWhereNoRouteLeadsIsDroppedByRouting() throws Exception {
        Tracer translating = tracer("""
                *nat
                :OUTPUT ACCEPT [0:0]
                -A OUTPUT -d 10.0.0.9/32 -j DNAT --to-destination 192.0.2.9
                COMMIT
                *filter
                :OUTPUT ACCEPT [0:0]
                COMMIT
                """, HOST, Assumptions.none());
        Trace trace = translating.trace(packet("local", "true", "in", null, "src", "10.0.0.1", "dst", "10.0.0.9"));
        assertThat(steps(trace)).containsExactly("nat OUTPUT 1 ACCEPT");
        assertThat(trace.verdict()).isEqualTo("DROP");
        assertThat(trace.notes()).contains("no route to 192.0.2.9 after DNAT: dropped by routing");
    }

    @Test
    void ecnReadsTheTosBytesLowBitsAndTheTcpFlagsTheEcnTargetClears() throws Exception {
        Tracer ecn = tracer("""
                *mangle
                :PREROUTING ACCEPT [0:0]
                -A PREROUTING -p tcp --dport 25 -j ECN --ecn-tcp-remove
                COMMIT
                *filter
                :INPUT ACCEPT [0:0]
                -A INPUT -p tcp -m ecn --ecn-tcp-ece ! --ecn-tcp-cwr -j DROP
                -A INPUT -m ecn --ecn-ip-ect 3 -j DROP
                COMMIT
                """, HOST, Assumptions.none());
        String[] local = {"dst", "203.0.113.1", "dport", "22"};
        assertThat(ecn.trace(packet(with(local, "tcp_flags", "ACK,ECE"))).verdict()).isEqualTo("DROP");
        assertThat(ecn.trace(packet(with(local, "tcp_flags", "ACK,ECE,CWR"))).verdict()).isEqualTo("ACCEPT");
        assertThat(ecn.trace(packet("dport", "25", "dst", "203.0.113.1", "tcp_flags", "ACK,ECE")).verdict())
                .isEqualTo("ACCEPT");
        assertThat(ecn.trace(packet(with(local, "tos", "0xbb"))).verdict()).isEqualTo("DROP");
        assertThat(ecn.trace(packet(with(local, "tos", "0xb9"))).verdict()).isEqualTo("ACCEPT");
    }

    @Test
    void anIpv6PacketsLengthCountsItsFortyByteHeader() throws Exception {
        String rules = filter("ACCEPT", "-A INPUT -m length --length 100 -j DROP");
        SourcedRuleset parsed = new RulesetParser(StandardExtensions.registry(), Family.IPV6,
                NameDatabase.system()).parseWithLines(rules);
        Tracer v6 = new Tracer(CompiledRuleset.of(parsed.ruleset(), (table, index) -> null), Host.unknown(),
                Assumptions.none(), false);
        PacketSpec spec = new PacketSpec().set("in", "eth0").set("src", "2001:db8::1").set("dst", "2001:db8::2");
        assertThat(v6.trace(spec.build(Family.IPV6)).packet().length()).isEqualTo(60);
        assertThat(v6.trace(spec.set("length", "100").build(Family.IPV6)).verdict()).isEqualTo("DROP");
        assertThatThrownBy(() -> spec.set("length", "39").build(Family.IPV6)).isInstanceOf(TraceInputException.class);
        assertThat(spec.set("length", "65575").build(Family.IPV6).length()).isEqualTo(65575);
    }

    private static String[] with(String[] keyValues, String... more) {
        String[] all = java.util.Arrays.copyOf(keyValues, keyValues.length + more.length);
        System.arraycopy(more, 0, all, keyValues.length, more.length);
        return all;
    }
}
