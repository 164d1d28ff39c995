package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
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

    private record Result(int code, String out, String err) {
    }

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    private String rules() throws Exception {
        Path file = dir.resolve("host.rules");
        Files.writeString(file, RULES);
        return file.toString();
    }

    @Test
    void jsonHasTheIssuesShape() throws Exception {
        Result r = run("trace", "--rules", rules(), "--in", "eth0", "--src", "192.0.2.1", "--dst", "192.0.2.2",
                "--dport", "8080", "--json");
        assertThat(r.code()).isEqualTo(0);
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
        Result r = run("trace", "--rules", file, "--in", "eth0", "--src", "192.0.2.1", "--dst", "192.0.2.2",
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
        Result r = run("trace", "--rules", rules(), "--packets", packets.toString());
        assertThat(r.code()).isEqualTo(0);
        assertThat(r.out().lines()).hasSize(2);
        assertThat(r.out().lines().toList().get(0)).startsWith("{\"verdict\":\"ACCEPT\"");
        assertThat(r.out().lines().toList().get(1)).startsWith("{\"verdict\":\"DROP\"");
    }

    @Test
    void badInputIsExitOneAndSaysWhere() throws Exception {
        Result packet = run("trace", "--rules", rules(), "--src", "192.0.2.1", "--dst", "2001:db8::1");
        assertThat(packet.code()).isEqualTo(1);
        assertThat(packet.err()).contains("dst: `2001:db8::1' is no IPv4 address (give -6 for IPv6)");
        Path packets = dir.resolve("bad.jsonl");
        Files.writeString(packets, "{\"src\": \"192.0.2.1\", \"dst\": \"192.0.2.2\", \"dprot\": 80}\n");
        Result line = run("trace", "--rules", rules(), "--packets", packets.toString());
        assertThat(line.code()).isEqualTo(1);
        assertThat(line.err()).contains("bad.jsonl:1: unknown key `dprot'");
        Result assume = run("trace", "--rules", rules(), "--src", "192.0.2.1", "--dst", "192.0.2.2",
                "--assume", "limit");
        assertThat(assume.code()).isEqualTo(1);
        assertThat(assume.err()).contains("NAME=match or NAME=nomatch");
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
        Result r = run("explain-log", "--rules", file.toString(), line, "--json");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("prefix").asText()).isEqualTo("IN-DROP: ");
        assertThat(json.get("rule").get("chain").asText()).isEqualTo("INPUT");
        assertThat(json.get("rule").get("rule").asInt()).isEqualTo(2);
        assertThat(json.get("trace").get("verdict").asText()).isEqualTo("DROP");
        Result text = run("explain-log", "--rules", file.toString(), line);
        assertThat(text.out()).contains("written by filter INPUT rule 2 (" + file + ":6)");
        Result bad = run("explain-log", "--rules", file.toString(), "no log line");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("IN=");
    }
}
