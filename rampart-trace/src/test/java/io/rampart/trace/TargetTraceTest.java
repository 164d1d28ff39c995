package io.rampart.trace;

import static io.rampart.trace.TracerTest.HOST;
import static io.rampart.trace.TracerTest.packet;
import static io.rampart.trace.TracerTest.steps;
import static io.rampart.trace.TracerTest.tracer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.rampart.model.Family;
import io.rampart.model.Target;
import io.rampart.model.extension.ExtensionKind;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extensions.StandardExtensions;
import java.util.List;
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

    @Test
    void everyTargetOfTheRegistryIsFollowedNoneTakenForAChain() {
        for (Family family : Family.values()) {
            for (ExtensionSpec spec : StandardExtensions.registry().all(ExtensionKind.TARGET, family)) {
                Target target = new Target(spec.name(), Target.Kind.JUMP, List.of());
                // Targets without their required options may be refused; none may become a jump.
                assertThatCode(() -> {
                    try {
                        assertThat(Targets.compile(target, family).kind()).as(spec.name())
                                .isNotIn(Action.Kind.JUMP, Action.Kind.GOTO);
                    } catch (IllegalArgumentException missingOption) {
                        assertThat(missingOption).hasMessageContaining("-j " + spec.name());
                    }
                }).doesNotThrowAnyException();
            }
        }
    }
}
