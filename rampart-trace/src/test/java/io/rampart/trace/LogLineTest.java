package io.rampart.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RulesetParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * LOG lines in the kernel's format (nf_log_syslog: {@code IN= OUT= MAC= SRC= DST= LEN= TOS= PREC=
 * TTL= ID= [DF] PROTO= SPT= DPT= WINDOW= RES= flags URGP=}), written here by hand: a LOG rule in a
 * test namespace writes nothing to the kernel log unless {@code nf_log_all_netns} is set on the
 * whole machine, which a test must not change.
 */
class LogLineTest {

    private static final String TCP_IN = "DROP-IN: IN=ra OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 "
            + "SRC=192.0.2.1 DST=192.0.2.2 LEN=60 TOS=0x10 PREC=0x00 TTL=63 ID=54321 DF PROTO=TCP SPT=40000 "
            + "DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0 ";

    private static final String RULES = """
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :LOGDROP - [0:0]
            -A INPUT -p udp -j LOG --log-prefix "DROP-IN: "
            -A INPUT -p tcp --dport 80 -j ACCEPT
            -A INPUT -j LOGDROP
            -A FORWARD -j LOG --log-prefix "FWD: "
            -A LOGDROP -p tcp -j LOG --log-prefix "DROP-IN: "
            -A LOGDROP -j DROP
            COMMIT
            """;

    @Test
    void readsTheKernelsFieldsAndFlags() throws Exception {
        LogLine line = LogLine.parse(TCP_IN);
        assertThat(line.prefix()).isEqualTo("DROP-IN: ");
        assertThat(line.family()).isEqualTo(Family.IPV4);
        Packet p = line.packet().build(Family.IPV4);
        assertThat(p.in()).isEqualTo("ra");
        assertThat(p.out()).isNull();
        assertThat(p.local()).isFalse();
        assertThat(p.srcText()).isEqualTo("192.0.2.1");
        assertThat(p.dport()).isEqualTo(22);
        assertThat(p.tcpFlags()).isEqualTo(Packet.SYN);
        assertThat(p.ttl()).isEqualTo(63);
        assertThat(p.tos()).isEqualTo(0x10);
        assertThat(p.length()).isEqualTo(60);
    }

    @Test
    void syslogJournalAndDmesgPrefixesAreNotPartOfTheLogPrefix() throws Exception {
        for (String head : List.of("Nov 24 03:32:16 router kernel: ", "2026-11-24T03:32:16.123456+00:00 router kernel: ",
                "[ 1234.567890] ", "[Tue Nov 24 03:32:16 2026] ", "Nov 24 03:32:16 router kernel: [ 1234.567890] ")) {
            assertThat(LogLine.parse(head + TCP_IN).prefix()).as(head).isEqualTo("DROP-IN: ");
        }
        // ufw's prefix starts with a bracket too, but is no timestamp.
        assertThat(LogLine.parse("kernel: [UFW BLOCK] IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 LEN=28 TOS=0x00 "
                + "PREC=0x00 TTL=64 ID=1 PROTO=UDP SPT=5353 DPT=53 LEN=8 ").prefix()).isEqualTo("[UFW BLOCK] ");
        assertThat(LogLine.parse("IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=1 "
                + "PROTO=UDP SPT=5353 DPT=53 LEN=8 ").prefix()).isEmpty();
    }

    @Test
    void icmpIcmpv6LocalAndForwardedLines() throws Exception {
        Packet echo = LogLine.parse("PING: IN= OUT=rc SRC=198.51.100.1 DST=198.51.100.2 LEN=84 TOS=0x00 PREC=0x00 "
                + "TTL=64 ID=1 DF PROTO=ICMP TYPE=8 CODE=0 ID=77 SEQ=1 ").packet().build(Family.IPV4);
        assertThat(echo.local()).isTrue();
        assertThat(echo.out()).isEqualTo("rc");
        assertThat(echo.icmpType()).isEqualTo(8);
        // An ICMP error quotes the packet it is about in brackets; those fields are not the packet's.
        Packet error = LogLine.parse("E: IN=ra OUT=rc MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=192.0.2.1 "
                + "DST=198.51.100.2 LEN=56 TOS=0x00 PREC=0x00 TTL=63 ID=9 PROTO=ICMP TYPE=3 CODE=3 [SRC=198.51.100.2 "
                + "DST=192.0.2.1 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=UDP SPT=53 DPT=5353 LEN=8 ] ")
                .packet().build(Family.IPV4);
        assertThat(error.srcText()).isEqualTo("192.0.2.1");
        assertThat(error.icmpType()).isEqualTo(3);
        assertThat(error.icmpCode()).isEqualTo(3);
        LogLine six = LogLine.parse("kernel: [ 99.000001] V6: IN=ra OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:86:dd "
                + "SRC=2001:0db8:0001:0000:0000:0000:0000:0001 DST=2001:0db8:0001:0000:0000:0000:0000:0002 LEN=64 "
                + "TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=ICMPv6 TYPE=128 CODE=0 ID=5 SEQ=1 ");
        assertThat(six.family()).isEqualTo(Family.IPV6);
        Packet p6 = six.packet().build(Family.IPV6);
        assertThat(p6.dstText()).isEqualTo("2001:db8:1::2");
        assertThat(p6.isIcmp()).isTrue();
        assertThat(p6.icmpType()).isEqualTo(128);
        assertThat(p6.ttl()).isEqualTo(64);
    }

    @Test
    void aLineWithoutTheKernelsFieldsIsRefused() {
        assertThatThrownBy(() -> LogLine.parse("sshd[123]: Accepted publickey for root"))
                .isInstanceOf(TraceInputException.class).hasMessageContaining("IN=");
    }

    @Test
    void findsTheLogRuleOnThePacketsPathAmongThoseWithThePrefix() throws Exception {
        CompiledRuleset ruleset = CompiledRuleset.of(
                new RulesetParser(StandardExtensions.registry(), Family.IPV4, NameDatabase.system()).parse(RULES));
        Tracer tracer = new Tracer(ruleset, Host.unknown(), Assumptions.none(), false);
        ExplainLog tcp = ExplainLog.of(LogLine.parse(TCP_IN), ruleset, tracer);
        assertThat(tcp.candidates()).hasSize(2);
        assertThat(tcp.writer().chain()).isEqualTo("LOGDROP");
        assertThat(tcp.writer().rule()).isEqualTo(1);
        assertThat(tcp.trace().verdict()).isEqualTo("DROP");
        ExplainLog udp = ExplainLog.of(LogLine.parse(TCP_IN.replace("PROTO=TCP", "PROTO=UDP")
                .replace(" WINDOW=64240 RES=0x00 SYN URGP=0", " LEN=40")), ruleset, tracer);
        assertThat(udp.writer().chain()).isEqualTo("INPUT");
        assertThat(udp.writer().rule()).isEqualTo(1);
        ExplainLog other = ExplainLog.of(LogLine.parse(TCP_IN.replace("DROP-IN: ", "NOPE ")), ruleset, tracer);
        assertThat(other.candidates()).isEmpty();
        assertThat(other.writer()).isNull();
    }
}
