package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiffCommandTest {

    private static final String HEAD = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n";

    @TempDir
    Path dir;

    private String file(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file.toString();
    }

    @Test
    void equivalentRulesetsExitZero() throws Exception {
        String a = file("a.rules", HEAD + "-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 80 -j ACCEPT\n"
                + "COMMIT\n");
        String b = file("b.rules", HEAD + "-A INPUT -p tcp -m multiport --dports 80,22 -j ACCEPT\nCOMMIT\n");
        Run run = Run.of("diff", a, b);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
        assertThat(run.out()).startsWith("equivalent");
    }

    @Test
    void differencesExitThreeWithTracedCounterexamples() throws Exception {
        String a = file("a.rules", HEAD + "-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n");
        String b = file("b.rules", HEAD + "-A INPUT -s 192.0.2.0/24 -j DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT\n"
                + "COMMIT\n");
        Run run = Run.of("diff", a, b);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.DRIFT);
        assertThat(run.out()).contains("INPUT: tcp, port 22, from 192.0.2.0/24\n")
                .contains(a + ": ACCEPT by " + a + ":5 (INPUT rule 1)")
                .contains(b + ": DROP by " + b + ":5 (INPUT rule 1)")
                .contains("e.g. rampart trace --in x0 --src 192.0.2.1 --dst 198.51.100.1 --proto 6 --sport 40000"
                        + " --dport 22 --tcp-flags SYN --mark 0x0 --ct-state NEW (traced)");
    }

    @Test
    void jsonListsEachDifference() throws Exception {
        String a = file("a.rules", HEAD + "-A INPUT -p udp --dport 53 -j ACCEPT\nCOMMIT\n");
        String b = file("b.rules", HEAD + "COMMIT\n");
        Run run = Run.of("diff", "--json", a, b);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.DRIFT);
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.path("equivalent").asBoolean()).isFalse();
        JsonNode d = json.path("differences").get(0);
        assertThat(d.path("region").asText()).isEqualTo("udp, port 53");
        assertThat(d.path("packet").path("dport").asText()).isEqualTo("53");
        assertThat(d.path("a").path("verdict").asText()).isEqualTo("ACCEPT");
        assertThat(d.path("b").path("where").asText()).isEqualTo("policy of INPUT");
        assertThat(d.path("traced").asBoolean()).isTrue();
    }

    @Test
    void aFileWithErrorsIsBadInput() throws Exception {
        String a = file("a.rules", HEAD + "-A INPUT -p tcp --dport 99999 -j ACCEPT\nCOMMIT\n");
        String b = file("b.rules", HEAD + "COMMIT\n");
        Run run = Run.of("diff", a, b);
        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(run.err()).contains("a.rules:5");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void rulesetsOfDifferentFamiliesAreBadInput() throws Exception {
        String a = file("a.rules", "*filter ipv4\n:INPUT DROP\nCOMMIT\n");
        String b = file("b.rules", "*filter ipv6\n:INPUT DROP\nCOMMIT\n");
        Run run = Run.of("diff", a, b);
        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(run.err()).contains("b.rules: has no table for iptables (its tables are for ip6tables), but "
                + a + " is for iptables: rulesets of different families cannot be compared");
        Run sixFirst = Run.of("diff", b, a);
        assertThat(sixFirst.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(sixFirst.err()).contains("b.rules: has no table for iptables (its tables are for ip6tables):"
                + " diff compares iptables rulesets unless -4 or -6 says which family");
    }

    @Test
    void aTargetWhoseVerdictOnlyTheKernelKnowsMakesTheDifferenceHangOnItsRule() throws Exception {
        String a = file("a.rules", "*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -j TPROXY --on-port 3128"
                + "\nCOMMIT\n" + HEAD + "COMMIT\n");
        String b = file("b.rules", HEAD + "COMMIT\n");
        Run run = Run.of("diff", a, b);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.DRIFT);
        assertThat(run.out()).contains("only if what `-j TPROXY --on-port 3128").contains("' at ")
                .contains("a.rules:3 does ends in").doesNotContain("(traced)");
        Run same = Run.of("diff", a, a);
        assertThat(same.exitCode()).as(same.out() + same.err()).isEqualTo(ExitCode.OK);
    }

    @Test
    void aTtlSetBeforeRoutingIsFollowedToTheForwardedPacketsItExpires() throws Exception {
        String forwarding = HEAD.replace(":FORWARD DROP", ":FORWARD ACCEPT");
        String a = file("a.rules", "*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j TTL --ttl-set 1\nCOMMIT\n"
                + forwarding + "COMMIT\n");
        String b = file("b.rules", forwarding + "COMMIT\n");
        Run run = Run.of("diff", a, b);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.DRIFT);
        assertThat(run.out()).contains("FORWARD: ").contains("DROP by routing: the TTL expires before FORWARD")
                .contains("(traced)");
    }

    @Test
    void theExampleEqualsItselfAndNotWithoutItsLoopbackRule() throws Exception {
        Path example = Path.of("../examples/host-firewall.rules");
        Run same = Run.of("diff", example.toString(), example.toString());
        assertThat(same.exitCode()).as(same.err()).isEqualTo(ExitCode.OK);
        Path copy = dir.resolve("host-firewall.rules");
        Files.writeString(copy, Files.readString(example).replace("-A INPUT -i lo -j ACCEPT\n", ""));
        Files.createDirectories(dir.resolve("host-firewall.d"));
        try (var services = Files.list(Path.of("../examples/host-firewall.d"))) {
            for (Path service : services.toList()) {
                Files.copy(service, dir.resolve("host-firewall.d").resolve(service.getFileName()));
            }
        }
        Run less = Run.of("diff", "--max", "1", example.toString(), copy.toString());
        assertThat(less.exitCode()).as(less.err()).isEqualTo(ExitCode.DRIFT);
        assertThat(less.out()).startsWith("INPUT: tcp, in on lo").contains("(traced)");
    }
}
