package io.rampart.trace;

import static io.rampart.trace.TracerTest.HOST;
import static io.rampart.trace.TracerTest.packet;
import static io.rampart.trace.TracerTest.steps;
import static io.rampart.trace.TracerTest.tracer;
import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import org.junit.jupiter.api.Test;

/** What the targets do to a traced packet; the expected marks and addresses are the kernel's. */
class TargetTraceTest {

    private static String mangle(String... rules) {
        return "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + ":POSTROUTING ACCEPT [0:0]\n" + String.join("\n", rules) + "\nCOMMIT\n";
    }

    private static String filter(String... rules) {
        return "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n" + String.join("\n", rules)
                + "\nCOMMIT\n";
    }

    private static Trace trace(String rules, String... packet) throws Exception {
        return tracer(rules, HOST, Assumptions.none()).trace(packet(packet));
    }

    @Test
    void hmarkSetsTheMarkTheKernelComputes() throws Exception {
        // Marks read back from conntrack after CONNMARK --save-mark, for these packets sent in a namespace.
        Trace full = trace(mangle("-A PREROUTING -p udp -j HMARK --hmark-tuple src,dst,sport,dport,proto"
                + " --hmark-mod 1000003 --hmark-rnd 0x12345678 --hmark-offset 5"), "proto", "udp", "sport", "40000",
                "dport", "9999");
        assertThat(full.packet().mark()).isEqualTo(459018);
        Trace partial = trace(mangle("-A PREROUTING -p udp -j HMARK --hmark-src-prefix 24 --hmark-dport-mask 0xff00"
                + " --hmark-sport 1 --hmark-mod 7777 --hmark-rnd 99"), "proto", "udp", "sport", "40000",
                "dport", "9999");
        assertThat(partial.packet().mark()).isEqualTo(2180);
        assertThat(steps(partial)).contains("mangle PREROUTING 1 CONTINUE");
    }

    @Test
    void hmarkOverTheConnectionOrAnIcmpErrorIsUndecided() throws Exception {
        Trace ct = trace(mangle("-A PREROUTING -j HMARK --hmark-tuple ct --hmark-mod 10 --hmark-rnd 1"));
        assertThat(ct.verdict()).isEqualTo(Trace.UNDECIDED);
        assertThat(ct.undecided().condition()).isEqualTo("-j HMARK --hmark-tuple ct");
        assertThat(TraceText.render(ct, false)).contains("no --assume decides what a target does");
        Trace icmp = trace(mangle("-A PREROUTING -j HMARK --hmark-tuple src --hmark-mod 10 --hmark-rnd 1"),
                "proto", "icmp", "icmp_type", "destination-unreachable");
        assertThat(icmp.isUndecided()).isTrue();
        Trace echo = trace(mangle("-A PREROUTING -j HMARK --hmark-tuple src --hmark-mod 10 --hmark-rnd 1"),
                "proto", "icmp", "icmp_type", "echo-request");
        assertThat(echo.isUndecided()).isFalse();
    }

    @Test
    void synproxyTakesTheSynLeavesTheAckUndecidedAndPassesTheRest() throws Exception {
        String rules = filter("-A INPUT -p tcp -m conntrack --ctstate INVALID,UNTRACKED -j SYNPROXY --mss 1460",
                "-A INPUT -p tcp -j SYNPROXY --sack-perm --wscale 7", "-A INPUT -j ACCEPT");
        Trace syn = trace(rules, "tcp_flags", "SYN");
        assertThat(syn.verdict()).isEqualTo("DROP");
        assertThat(steps(syn)).containsExactly("filter INPUT 2 DROP");
        Trace ack = trace(rules, "tcp_flags", "ACK");
        assertThat(ack.verdict()).isEqualTo(Trace.UNDECIDED);
        assertThat(ack.undecided().rule()).as("a first ACK is NEW to conntrack (loose pickup), so rule 2 meets it")
                .isEqualTo(2);
        Trace finAck = trace(rules, "tcp_flags", "FIN,ACK");
        assertThat(steps(finAck)).containsExactly("filter INPUT 1 CONTINUE", "filter INPUT 2 CONTINUE",
                "filter INPUT 3 ACCEPT");
    }

    @Test
    void targetsThatChangeNoTracedFieldContinue() throws Exception {
        Trace trace = trace(mangle("-A PREROUTING -j TEE --gateway 192.0.2.1",
                "-A PREROUTING -j IDLETIMER --timeout 10 --label wan",
                "-A PREROUTING -j RATEEST --rateest-name up --rateest-interval 1s --rateest-ewmalog 8s",
                "-A PREROUTING -p tcp -j TCPOPTSTRIP --strip-options sack",
                "-A PREROUTING -j CONNSECMARK --restore", "-A PREROUTING -j ECN --ecn-ip-ect 2"), "tos", "0x11");
        assertThat(steps(trace)).startsWith("mangle PREROUTING 1 CONTINUE", "mangle PREROUTING 2 CONTINUE",
                "mangle PREROUTING 3 CONTINUE", "mangle PREROUTING 4 CONTINUE", "mangle PREROUTING 5 CONTINUE",
                "mangle PREROUTING 6 CONTINUE", "mangle PREROUTING policy ACCEPT");
        assertThat(trace.packet().tos()).as("ECN sets the two low bits").isEqualTo(0x12);
    }

    private static final String HOST6 = """
            {"ip_forward": true,
             "addresses": [{"interface": "eth0", "address": "2001:db8:ffff::1/64"},
                           {"interface": "eth1", "address": "2001:db8:0:5::fe/64"}],
             "routes": [{"dst": "::/0", "dev": "eth0", "via": "2001:db8:ffff::2"},
                        {"dst": "2001:db8:0:5::/64", "dev": "eth1"}]}
            """;

    private static Trace trace6(String rules, String src, String dst) throws Exception {
        Packet packet = new PacketSpec().set("in", "eth1").set("src", src).set("dst", dst).set("proto", "udp")
                .build(Family.IPV6);
        return tracer(rules, HOST6, Assumptions.none(), Family.IPV6).trace(packet);
    }

    @Test
    void snptRewritesTheSourcePrefixAsTheKernelDoes() throws Exception {
        // Source addresses a UDP receiver saw after SNPT in a namespace.
        assertThat(trace6(mangle("-A POSTROUTING -o eth0 -j SNPT --src-pfx 2001:db8::/48 --dst-pfx fd00:1::/48"),
                "2001:db8:0:5::1", "2001:db8:eeee::9").packet().srcText()).isEqualTo("fd00:1:0:30bc::1");
        assertThat(trace6(mangle("-A POSTROUTING -o eth0 -j SNPT --src-pfx 2001:db8::/56 --dst-pfx fd00:1::/56"),
                "2001:db8:0:5::1", "2001:db8:eeee::9").packet().srcText()).isEqualTo("fd00:1:0:5:30b7::1");
        assertThat(trace6(mangle("-A POSTROUTING -o eth0 -j SNPT --src-pfx 2001:db8:100::/40"
                + " --dst-pfx fd00:abcd::/48"), "2001:db8:1ff:1234::99", "2001:db8:eeee::9").packet().srcText())
                .isEqualTo("fd00:abcd:0:981e::99");
        assertThat(trace6(mangle("-A POSTROUTING -o eth0 -j SNPT --src-pfx 2001:db8::/64 --dst-pfx 2001:db9::/64"),
                "2001:db8::1", "2001:db8:eeee::9").packet().srcText()).isEqualTo("2001:db9::fffe:0:0:1");
    }

    @Test
    void dnptRewritesTheDestinationPrefixBeforeRouting() throws Exception {
        Trace trace = trace6(mangle("-A PREROUTING -j DNPT --src-pfx fd00:1::/48 --dst-pfx 2001:db8::/48"),
                "2001:db8:eeee::9", "fd00:1:0:30bc::1");
        assertThat(trace.packet().dstText()).as("the mapping back of the SNPT case").isEqualTo("2001:db8:0:5::1");
        assertThat(trace.packet().out()).isEqualTo("eth1");
    }

    private static String nat(String... rules) {
        return "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
                + String.join("\n", rules) + "\nCOMMIT\n";
    }

    @Test
    void verdictsEndTheWalkAndRejectDropsAsTheKernelsTraceSays() throws Exception {
        String rules = filter("-A INPUT -p tcp --dport 1 -j ACCEPT", "-A INPUT -p tcp --dport 2 -j DROP",
                "-A INPUT -p tcp --dport 3 -j REJECT --reject-with tcp-reset",
                "-A INPUT -p tcp --dport 4 -j NFQUEUE --queue-balance 2:5 --queue-bypass", "-A INPUT -j DROP");
        assertThat(trace(rules, "dport", "1").verdict()).isEqualTo("ACCEPT");
        assertThat(trace(rules, "dport", "2").verdict()).isEqualTo("DROP");
        assertThat(steps(trace(rules, "dport", "3"))).containsExactly("filter INPUT 3 DROP");
        // The program reading the queue gives the verdict: the trace stops at the rule and says so.
        Trace queued = trace(rules, "dport", "4");
        assertThat(queued.verdict()).isEqualTo(Trace.UNDECIDED);
        assertThat(queued.undecided().rule()).isEqualTo(4);
        assertThat(queued.undecided().condition()).isEqualTo("-j NFQUEUE");
        assertThat(TraceText.render(queued, false)).contains("one of queues 2-5")
                .contains("goes on as if accepted");
        assertThat(TraceText.render(trace(filter("-A INPUT -j NFQUEUE --queue-num 7"), "dport", "4"), false))
                .contains("queue 7").contains("the kernel drops it");
    }

    @Test
    void connmarkSavesAndRestoresUnderMasksAndShiftsAsTheKernelDoes() throws Exception {
        // conntrack -L in a namespace showed mark=1184256 (0x121200) for this connection after these rules.
        String rules = mangle("-A OUTPUT -p udp -j CONNMARK --set-mark 0x1200",
                "-A OUTPUT -p udp -j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff00 --right-shift-mark 8",
                "-A OUTPUT -p udp -j CONNMARK --save-mark --nfmask 0xffff --ctmask 0xffff0000 --left-shift-mark 16")
                + filter("-A OUTPUT -m connmark --mark 0x121200 -j ACCEPT", "-A OUTPUT -j DROP");
        Trace trace = trace(rules, "local", "true", "in", null, "src", "10.0.0.1", "dst", "10.0.0.9", "proto", "udp",
                "dport", "7002");
        assertThat(trace.packet().mark()).isEqualTo(0x12);
        assertThat(steps(trace)).contains("filter OUTPUT 1 ACCEPT");
        Trace marked = trace(mangle("-A PREROUTING -j MARK --set-mark 0xab",
                "-A PREROUTING -j MARK --set-xmark 0x3/0xf", "-A PREROUTING -j MARK --xor-mark 0x100"), "mark", "0x5");
        assertThat(marked.packet().mark()).as("(0xab & ~0xf) ^ 0x3, then ^ 0x100").isEqualTo(0x1a3);
    }

    @Test
    void natTargetsRewriteTheAddressesAndPortsTheyDeclare() throws Exception {
        Trace redirected = trace(nat("-A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 8080"), "dport", "80",
                "dst", "198.51.100.200");
        assertThat(redirected.packet().dstText()).as("the incoming interface's address").isEqualTo("203.0.113.1");
        assertThat(redirected.packet().dport()).isEqualTo(8080);
        Trace mapped = trace(nat("-A PREROUTING -j NETMAP --to 10.9.0.0/16"));
        assertThat(mapped.packet().dstText()).isEqualTo("10.9.113.1");
        Trace portOnly = trace(nat("-A PREROUTING -p tcp -j DNAT --to-destination :2222"), "dport", "22");
        assertThat(portOnly.packet().dstText()).isEqualTo("203.0.113.1");
        assertThat(portOnly.packet().dport()).isEqualTo(2222);
        Trace snat = trace(nat("-A POSTROUTING -j SNAT --to-source 10.0.0.7"), "dst", "10.0.0.5", "sport", "4000");
        assertThat(snat.packet().srcText()).isEqualTo("10.0.0.7");
        assertThat(snat.packet().sport()).as("a port the range leaves out is kept").isEqualTo(4000);
    }

    @Test
    void hopLimitAndTosRewritesChangeTheHeader() throws Exception {
        Trace ttl = trace(mangle("-A PREROUTING -j TTL --ttl-dec 60", "-A PREROUTING -j TTL --ttl-inc 3"), "ttl",
                "64");
        assertThat(ttl.packet().ttl()).as("decreased to 4, increased to 7").isEqualTo(7);
        Trace floor = trace(mangle("-A PREROUTING -j TTL --ttl-dec 100"), "ttl", "64");
        assertThat(floor.packet().ttl()).isEqualTo(0);
        Trace tos = trace(mangle("-A PREROUTING -j TOS --set-tos 0x10/0x3f"), "tos", "0xc3");
        assertThat(tos.packet().tos()).isEqualTo(0xd0);
        Trace dscp = trace(mangle("-A PREROUTING -j DSCP --set-dscp-class EF"), "tos", "0x03");
        assertThat(dscp.packet().tos()).as("EF is 46, the upper six bits; the ECN bits stay").isEqualTo(0xbb);
    }

    @Test
    void notrackAndLoggingTargetsLetThePacketGoOn() throws Exception {
        String rules = "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -j NOTRACK\nCOMMIT\n"
                + filter("-A INPUT -j LOG --log-prefix seen", "-A INPUT -j NFLOG --nflog-group 2",
                "-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT");
        assertThat(steps(trace(rules))).containsExactly("raw PREROUTING 1 CONTINUE", "raw PREROUTING policy ACCEPT",
                "filter INPUT 1 CONTINUE",
                "filter INPUT 2 CONTINUE", "filter INPUT 3 ACCEPT");
    }

    @Test
    void aTargetWhoseEffectHangsOnKernelStateEndsTheTraceUndecided() throws Exception {
        Trace tproxy = trace(mangle("-A PREROUTING -p tcp -j TPROXY --on-port 3128"), "dport", "80");
        assertThat(tproxy.verdict()).isEqualTo(Trace.UNDECIDED);
        assertThat(tproxy.undecided().condition()).isEqualTo("-j TPROXY");
        assertThat(TraceText.render(tproxy, false)).contains("local socket");
        Trace mapped = trace(mangle("-A PREROUTING -j SET --map-set marks src --map-mark"));
        assertThat(mapped.isUndecided()).isTrue();
        assertThat(trace(mangle("-A PREROUTING -j SET --add-set seen src")).isUndecided()).isFalse();
    }
}
