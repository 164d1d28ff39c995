package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceCommandTest {

    private static final String RULES = """
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -p tcp --dport 8080 -j REDIRECT --to-ports 80
            COMMIT
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            -A INPUT -p tcp --dport 80 -j ACCEPT
            COMMIT
            """;

    @TempDir
    Path dir;

    private static Run run(String... args) {
        return Run.of(args);
    }

    private String rules() throws Exception {
        Path file = dir.resolve("host.rules");
        Files.writeString(file, RULES);
        return file.toString();
    }

    @Test
    void jsonHasTheIssuesShape() throws Exception {
        Run r = run("trace", "--rules", rules(), "--in", "eth0", "--src", "192.0.2.1", "--dst", "192.0.2.2",
                "--dport", "8080", "--json");
        assertThat(r.exitCode()).isEqualTo(0);
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("verdict").asText()).isEqualTo("ACCEPT");
        JsonNode policy = json.get("steps").get(2);
        assertThat(policy.get("table").asText() + " " + policy.get("chain").asText()).isEqualTo("nat INPUT");
        assertThat(policy.get("rule").isNull()).isTrue();
        assertThat(policy.get("text").isNull()).isTrue();
        assertThat(json.get("steps").get(0).get("verdict").asText()).isEqualTo("ACCEPT");
        assertThat(json.get("steps").get(1).get("text").asText())
                .isEqualTo("-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT");
        assertThat(json.get("packet").get("dport").asInt()).isEqualTo(80);
    }

    @Test
    void humanOutputPointsIntoTheFileAndExplains() throws Exception {
        String file = rules();
        Run r = run("trace", "--rules", file, "--in", "eth0", "--src", "192.0.2.1", "--dst", "192.0.2.2",
                "--dport", "443", "--explain");
        assertThat(r.out()).contains("[" + file + ":12]", "no match: -m tcp --dport 80", "policy   DROP",
                "verdict: DROP");
    }

    @Test
    void packetsFileGivesOneResultPerLineInOrder() throws Exception {
        Path packets = dir.resolve("p.jsonl");
        Files.writeString(packets, """
                {"in": "eth0", "src": "192.0.2.1", "dst": "192.0.2.2", "proto": "tcp", "dport": 80}
                {"in": "eth0", "src": "192.0.2.1", "dst": "192.0.2.2", "proto": "udp", "dport": 80}
                """);
        Run r = run("trace", "--rules", rules(), "--packets", packets.toString());
        assertThat(r.exitCode()).isEqualTo(0);
        assertThat(r.out().lines()).hasSize(2);
        assertThat(r.out().lines().toList().get(0)).startsWith("{\"verdict\":\"ACCEPT\"");
        assertThat(r.out().lines().toList().get(1)).startsWith("{\"verdict\":\"DROP\"");
    }

    @Test
    void badInputIsExitOneAndSaysWhere() throws Exception {
        Run packet = run("trace", "--rules", rules(), "--src", "192.0.2.1", "--dst", "2001:db8::1");
        assertThat(packet.exitCode()).isEqualTo(1);
        assertThat(packet.err()).contains("dst: `2001:db8::1' is no IPv4 address (give -6 for IPv6)");
        Path packets = dir.resolve("bad.jsonl");
        Files.writeString(packets, "{\"src\": \"192.0.2.1\", \"dst\": \"192.0.2.2\", \"dprot\": 80}\n");
        Run line = run("trace", "--rules", rules(), "--packets", packets.toString());
        assertThat(line.exitCode()).isEqualTo(1);
        assertThat(line.err()).contains("bad.jsonl:1: unknown key `dprot'");
        Run assume = run("trace", "--rules", rules(), "--src", "192.0.2.1", "--dst", "192.0.2.2",
                "--assume", "limit");
        assertThat(assume.exitCode()).isEqualTo(1);
        assertThat(assume.err()).contains("NAME=match or NAME=nomatch");
    }

    @Test
    void rulesReadThroughTheLanguagePointIntoTheIncludedFile() throws Exception {
        Files.createDirectories(dir.resolve("rules.d"));
        Files.writeString(dir.resolve("rules.d/web.rules"), """
                # web servers
                -A INPUT -s $ADMINS -p tcp --dport $WEB -j ACCEPT
                """);
        Path file = dir.resolve("main.rules");
        Files.writeString(file, """
                define ADMINS = { 192.0.2.10, 192.0.2.11 }
                define WEB = 443
                *filter
                :INPUT DROP [0:0]
                :FORWARD DROP [0:0]
                :OUTPUT ACCEPT [0:0]
                include "rules.d/*.rules"
                COMMIT
                """);
        Run r = run("trace", "--rules", file.toString(), "--in", "eth0", "--src", "192.0.2.11", "--dst",
                "192.0.2.2", "--dport", "443", "--json", "--explain");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(0);
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("verdict").asText()).isEqualTo("ACCEPT");
        JsonNode deciding = json.get("steps").get(0);
        assertThat(deciding.get("rule").asInt()).isEqualTo(2);
        assertThat(deciding.get("text").asText()).isEqualTo(
                "-A INPUT -s 192.0.2.11/32 -p tcp -m tcp --dport 443 -j ACCEPT");
        String included = dir.resolve("rules.d/web.rules").toString();
        assertThat(deciding.get("source").asText()).isEqualTo(included + ":2");
        JsonNode missed = deciding.get("passed").get(0);
        assertThat(missed.get("failed").asText()).isEqualTo("-s 192.0.2.10/32");
        assertThat(missed.get("source").asText()).isEqualTo(included + ":2");
        Run text = run("trace", "--rules", file.toString(), "--in", "eth0", "--src", "192.0.2.10", "--dst",
                "192.0.2.2", "--dport", "443");
        assertThat(text.out()).contains("#1       ACCEPT", "[" + included + ":2]");
    }

    @Test
    void aWrongFileGetsEveryErrorAsCheckPrintsItAndNoTrace() throws Exception {
        Path file = dir.resolve("bad.rules");
        Files.writeString(file, """
                define WEB = 443
                *filter
                :INPUT DROP [0:0]
                -A INPUT -p tcp --dport $WBE -j ACCEPT
                -A INPUT -p tcp --dprot 22 -j ACCEPT
                COMMIT
                """);
        Run r = run("trace", "--rules", file.toString(), "--src", "192.0.2.1", "--dst", "192.0.2.2");
        assertThat(r.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(r.out()).isEmpty();
        Run check = run("check", file.toString());
        assertThat(check.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        String errors = check.err().strip();
        assertThat(errors).contains(file + ":4:", file + ":5:", "^");
        assertThat(r.err()).contains(errors);
        Run explain = run("explain-log", "--rules", file.toString(), "IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 "
                + "LEN=60 TTL=64 PROTO=TCP SPT=40000 DPT=22 SYN");
        assertThat(explain.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(explain.err()).contains(errors);
    }

    @Test
    void aDualStackFileIsTracedInThePacketsFamily() throws Exception {
        Path file = dir.resolve("both.rules");
        Files.writeString(file, """
                define ADMINS = { 192.0.2.10, 2001:db8::10 }
                *filter both
                :INPUT DROP [0:0]
                :FORWARD DROP [0:0]
                :OUTPUT ACCEPT [0:0]
                -A INPUT -s $ADMINS -p tcp --dport 22 -j ACCEPT
                -6 -A INPUT -p udp --dport 546 -j ACCEPT
                COMMIT
                """);
        Run v6 = run("trace", "--rules", file.toString(), "--in", "eth0", "--src", "2001:db8::10", "--dst",
                "2001:db8::1", "--dport", "22", "--json");
        assertThat(v6.exitCode()).as(v6.err()).isEqualTo(0);
        JsonNode step = new ObjectMapper().readTree(v6.out()).get("steps").get(0);
        assertThat(step.get("text").asText()).isEqualTo(
                "-A INPUT -s 2001:db8::10/128 -p tcp -m tcp --dport 22 -j ACCEPT");
        assertThat(step.get("source").asText()).isEqualTo(file + ":6");
        Run dhcp = run("trace", "-6", "--rules", file.toString(), "--in", "eth0", "--src", "fe80::1", "--dst",
                "ff02::1:2", "--proto", "udp", "--dport", "546");
        assertThat(dhcp.out()).contains("ACCEPT", "[" + file + ":7]", "verdict: ACCEPT");
        Run v4 = run("trace", "--rules", file.toString(), "--in", "eth0", "--src", "192.0.2.10", "--dst",
                "192.0.2.1", "--proto", "udp", "--dport", "546", "--json");
        assertThat(new ObjectMapper().readTree(v4.out()).get("verdict").asText()).isEqualTo("DROP");
    }

    @Test
    void aFileWithoutTablesOfTheTracesFamilySaysWhichItHas() throws Exception {
        Path file = dir.resolve("v4.rules");
        Files.writeString(file, """
                *filter ipv4
                :INPUT DROP [0:0]
                COMMIT
                """);
        Run r = run("trace", "--rules", file.toString(), "--src", "2001:db8::10", "--dst", "2001:db8::1");
        assertThat(r.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(r.err()).contains(file + ": has no table for ip6tables (its tables are for iptables)");
    }

    @Test
    void offlineHostValuesAreLookedUpOnThisHost() throws Exception {
        Path file = dir.resolve("host.rules");
        Files.writeString(file, """
                *filter
                :INPUT DROP [0:0]
                -A INPUT -s @host4(localhost) -j ACCEPT
                COMMIT
                """);
        Run r = run("trace", "--rules", file.toString(), "--in", "lo", "--src", "127.0.0.1", "--dst", "127.0.0.1",
                "--json");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(0);
        JsonNode step = new ObjectMapper().readTree(r.out()).get("steps").get(0);
        assertThat(step.get("text").asText()).isEqualTo("-A INPUT -s 127.0.0.1/32 -j ACCEPT");
        assertThat(step.get("source").asText()).isEqualTo(file + ":3");
    }

    @Test
    void explainLogNamesTheLogRuleAndTracesThePacket() throws Exception {
        Path file = dir.resolve("log.rules");
        Files.writeString(file, """
                *filter
                :INPUT DROP [0:0]
                :FORWARD DROP [0:0]
                :OUTPUT ACCEPT [0:0]
                -A INPUT -p tcp --dport 80 -j ACCEPT
                -A INPUT -j LOG --log-prefix "IN-DROP: "
                COMMIT
                """);
        String line = "Nov 24 03:32:16 router kernel: [ 1234.567890] IN-DROP: IN=eth0 OUT= "
                + "MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=192.0.2.1 DST=192.0.2.2 LEN=60 TOS=0x00 "
                + "PREC=0x00 TTL=64 ID=1 DF PROTO=TCP SPT=40000 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0 ";
        Run r = run("explain-log", "--rules", file.toString(), line, "--json");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(0);
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("prefix").asText()).isEqualTo("IN-DROP: ");
        assertThat(json.get("rule").get("chain").asText()).isEqualTo("INPUT");
        assertThat(json.get("rule").get("rule").asInt()).isEqualTo(2);
        assertThat(json.get("rule").get("source").asText()).isEqualTo(file + ":6");
        assertThat(json.get("trace").get("verdict").asText()).isEqualTo("DROP");
        Run text = run("explain-log", "--rules", file.toString(), line);
        assertThat(text.out()).contains("written by filter INPUT rule 2 (" + file + ":6)");
        Run bad = run("explain-log", "--rules", file.toString(), "no log line");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).contains("IN=");
    }
}
