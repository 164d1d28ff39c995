package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CoverageCommandTest {

    /** Made by tcpdump on `any' (Linux cooked v2) in the receiving namespace: see make-captures there. */
    private static final Path CAPTURES = Path.of("../rampart-trace/src/test/resources/captures");

    private static final String RULES = """
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
            -A INPUT -p tcp --dport 22 -j ACCEPT
            -A INPUT -p tcp --dport 80 -j ACCEPT
            -A OUTPUT -p icmp -j ACCEPT
            COMMIT
            """;

    @TempDir
    Path dir;

    private String file(String name, String text) throws Exception {
        return TestFiles.write(dir, name, text);
    }

    @Test
    void hitsPerRuleAndTheRulesNoPacketHit() throws Exception {
        String rules = file("host.rules", RULES);
        Run run = Run.of("coverage", "-4", "--in", "vb", rules, "--pcap", CAPTURES.resolve("cooked2.pcap").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains(": 16 frames, 8 packets replayed through " + rules + ", 2 connections\n")
                .contains("  not replayed: 8 ip6tables packets, for which the ruleset has no rules\n")
                .contains("         1  " + rules + ":5  filter INPUT 1: -A INPUT -m conntrack --ctstate"
                        + " RELATED,ESTABLISHED -j ACCEPT\n")
                .contains("         1  " + rules + ":6  filter INPUT 2: -A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT\n")
                .contains("         1  " + rules + ":7  filter INPUT 3: -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n")
                .contains("         3  " + rules + ":9  filter OUTPUT 1: -A OUTPUT -p icmp -j ACCEPT\n")
                .contains("         1  policy DROP of filter INPUT\n")
                .contains("never hit: 1 of 5 rules\n  " + rules + ":8: -A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\n");
    }

    @Test
    void packetsGivenToAQueueHitItsRuleAndTheProgramReadingTheQueueGivesTheirVerdict() throws Exception {
        String rules = file("host.rules", RULES.replace("-A INPUT -p tcp --dport 22 -j ACCEPT",
                "-A INPUT -p tcp --dport 22 -j NFQUEUE --queue-num 4"));
        Run run = Run.of("coverage", "-4", "--in", "vb", rules, "--pcap", CAPTURES.resolve("cooked2.pcap").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("         1  " + rules + ":7  filter INPUT 3: -A INPUT -p tcp -m tcp --dport 22 -j NFQUEUE"
                        + " --queue-num 4\n")
                .contains("         1  stopped at filter INPUT 3 (" + rules + ":7): the tracer cannot tell the verdict"
                        + " of `-j NFQUEUE'\n");
    }

    @Test
    void aPcapThatNamesNoInterfaceNeedsIn() throws Exception {
        String rules = file("host.rules", RULES);
        Run run = Run.of("coverage", rules, "--pcap", CAPTURES.resolve("ethernet.pcap").toString());
        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(run.err()).contains("the capture does not name the interface its packets came by: give --in IFACE");
        Run named = Run.of("coverage", "--json", rules, "--pcap", CAPTURES.resolve("tshark.pcapng").toString());
        assertThat(named.exitCode()).as(named.err()).isZero();
        assertThat(named.out()).contains("\"packets\" : 8");
    }

    @Test
    void whatIsNoCaptureIsBadInput() throws Exception {
        String rules = file("host.rules", RULES);
        Run run = Run.of("coverage", rules, "--pcap", rules);
        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(run.err()).contains(rules + ": is not a pcap or pcapng capture");
        byte[] capture = Files.readAllBytes(CAPTURES.resolve("cooked2.pcap"));
        Path cut = dir.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(capture, capture.length - 10));
        Run truncated = Run.of("coverage", "--in", "vb", rules, "--pcap", cut.toString());
        assertThat(truncated.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(truncated.err()).contains(cut + ": ends inside frame 16");
        assertThat(Run.of("coverage", rules, "--pcap", dir.resolve("none.pcap").toString()).err())
                .contains("none.pcap: no such file");
    }
}
