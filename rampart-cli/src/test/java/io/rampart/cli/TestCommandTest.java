package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestCommandTest {

    private static final String RULES = """
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :LOGDROP - [0:0]
            -A INPUT -i lo -j ACCEPT
            -A INPUT -i guest0 -j LOGDROP
            -A INPUT -p tcp -s 192.0.2.0/24 --dport 22 -j ACCEPT
            -A INPUT -p tcp --dport 80 -m limit --limit 10/sec -j ACCEPT
            -A LOGDROP -j LOG --log-prefix "drop: "
            -A LOGDROP -j DROP
            COMMIT
            """;

    @TempDir
    Path dir;

    private String file(String name, String text) throws Exception {
        return TestFiles.write(dir, name, text);
    }

    @Test
    void allPassingExitsZero() throws Exception {
        String rules = file("host.rules", RULES);
        String expect = file("host.expect", """
                # the database is never reachable from guests
                define ADMINS = 192.0.2.0/24
                expect tcp from $ADMINS in eth0 to 10.0.0.5 port 22 is accepted
                expect nothing in guest0 to port 5432 is accepted
                expect packet --in guest0 --src 198.51.100.7 --dst 10.0.0.5 --dport 23 is dropped by LOGDROP
                """);
        Run run = Run.of("test", rules, expect);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
        assertThat(run.out()).contains(expect + ":3: pass: tcp from $ADMINS in eth0 to 10.0.0.5 port 22 is accepted\n")
                .endsWith("3 expectations: 3 passed, 0 failed, 0 unknown\n");
    }

    @Test
    void aFailureShowsATracedCounterexampleAndExitsThree() throws Exception {
        String rules = file("host.rules", RULES);
        String expect = file("host.expect", "expect tcp in eth0 to port 22 is accepted\n"
                + "expect tcp in eth0 to port 80 is accepted\n");
        Run run = Run.of("test", rules, expect);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.DRIFT);
        assertThat(run.out()).contains(expect + ":1: FAIL: tcp in eth0 to port 22 is accepted\n"
                        + "  INPUT: tcp, in on eth0, state NEW, port 22, from anywhere but 192.0.2.0/24, flags SYN\n"
                        + "  DROP by policy of INPUT\n"
                        + "  e.g. rampart trace --in eth0 --src 0.0.0.0 --dst 198.51.100.1 --proto 6 --sport 40000"
                        + " --dport 22 --tcp-flags SYN --mark 0x0 --ct-state NEW (traced)\n")
                .contains(expect + ":2: unknown: tcp in eth0 to port 80 is accepted\n")
                .contains("  only if `-m limit --limit 10/sec' does not match\n")
                .endsWith("2 expectations: 0 passed, 1 failed, 1 unknown\n");
    }

    @Test
    void jsonGivesEachResult() throws Exception {
        String rules = file("host.rules", RULES);
        String expect = file("host.expect", "expect some udp in eth0 is accepted\n");
        Run run = Run.of("test", "--json", rules, expect);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.DRIFT);
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.path("passed").asBoolean()).isFalse();
        JsonNode r = json.path("results").get(0);
        assertThat(r.path("status").asText()).isEqualTo("fail");
        assertThat(r.path("line").asInt()).isEqualTo(1);
        assertThat(r.path("packet").path("proto").asText()).isEqualTo("17");
        assertThat(r.path("verdict").path("where").asText()).isEqualTo("policy of INPUT");
        assertThat(r.path("traced").asBoolean()).isTrue();
    }

    @Test
    void mistakesInTheExpectationsAreReportedWithLineAndColumn() throws Exception {
        String rules = file("host.rules", RULES);
        String expect = file("host.expect", """
                define NET = 10.0.0.0/8
                expect tcp from $NTE is accepted
                expect tcp to port 99999 is accepted
                expect tcp from 10.0.0.0/8 is allowed
                """);
        Run run = Run.of("test", rules, expect);
        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(run.err()).contains(expect + ":2:17: error: variable NTE is not defined\n"
                        + "  expect tcp from $NTE is accepted\n"
                        + "                  ^\n")
                .contains(expect + ":3:20: error: `port': `99999' is no port number (0 to 65535) or service name\n")
                .contains(expect + ":4:31: error: unknown verdict `allowed'\n")
                .contains("  hint: use accepted, dropped, rejected or denied\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void linesThatDescribeNoPacketOrADeciderTheRulesetLacksAreMistakes() throws Exception {
        String rules = file("host.rules", RULES);
        // Each would pass for want of packets, or fail for every ruleset, saying nothing about this one.
        String expect = file("host.expect", """
                expect udp flags SYN is accepted
                expect nothing icmp port 22 is accepted
                expect tcp to port 22 is accepted by SSH
                expect tcp to port 23 is dropped by LOGDROP rule 3
                expect tcp to port 80 is accepted by host.rules:99
                expect packet --in guest0 --src 198.51.100.7 --dst 10.0.0.5 --dport 23 is dropped by LOGDROP rule 2
                expect tcp in eth0 from 192.0.2.0/24 to port 22 is accepted by host.rules:8
                """);
        Run run = Run.of("test", rules, expect);
        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(run.err()).contains(expect + ":1:8: error: no packet is all of this: the selectors contradict"
                        + " each other\n  expect udp flags SYN is accepted\n         ^\n")
                .contains(expect + ":2:8: error: no packet is all of this")
                .contains(expect + ":3:38: error: " + rules + " has no chain SSH\n")
                .contains(expect + ":4:37: error: chain LOGDROP of " + rules + " has 2 rules, not 3\n")
                .contains(expect + ":5:38: error: no rule of " + rules + " is written at host.rules:99\n")
                .doesNotContain(expect + ":6:").doesNotContain(expect + ":7:");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aRulesetWithErrorsIsBadInput() throws Exception {
        String rules = file("host.rules", "*filter\n-A INPUT -p tcp --dprot 22 -j ACCEPT\nCOMMIT\n");
        String expect = file("host.expect", "expect tcp is accepted\n");
        Run run = Run.of("test", rules, expect);
        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(run.err()).contains("unknown option --dprot");
    }

    @Test
    void theExampleExpectationsHoldForTheirExampleRulesets() {
        Run run = Run.of("test", "../examples/host-firewall.rules", "../examples/host-firewall.expect");
        assertThat(run.exitCode()).as(run.err() + run.out()).isEqualTo(ExitCode.OK);
        assertThat(run.out()).endsWith("9 expectations: 9 passed, 0 failed, 0 unknown\n");
        Run router = Run.of("test", "../examples/router-nat.rules", "../examples/router-nat.expect");
        assertThat(router.exitCode()).as(router.err() + router.out()).isEqualTo(ExitCode.OK);
        assertThat(router.out()).endsWith("11 expectations: 11 passed, 0 failed, 0 unknown\n");
        for (String family : new String[] {"-4", "-6"}) {
            Run server = Run.of("test", family, "../examples/dual-stack-server.rules",
                    "../examples/dual-stack-server.expect");
            assertThat(server.exitCode()).as(family + server.err() + server.out()).isEqualTo(ExitCode.OK);
            assertThat(server.out()).endsWith("10 expectations: 10 passed, 0 failed, 0 unknown\n");
        }
    }
}
