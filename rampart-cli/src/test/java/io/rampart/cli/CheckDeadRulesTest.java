package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.api.CheckResult;
import io.rampart.api.RampartService;
import io.rampart.api.RulesetRequest;
import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.system.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** check's warnings about rules that never matter, over all packets. */
class CheckDeadRulesTest {

    private static final String RULES = """
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :SSH - [0:0]
            -A INPUT -i lo -j ACCEPT
            -A INPUT -s 10.0.0.0/8 -p tcp -j ACCEPT
            -A INPUT -s 10.1.0.0/16 -p tcp -m tcp --dport 22 -j DROP
            -A INPUT -p tcp -m tcp --dport 22 -j SSH
            -A SSH -s 192.0.2.0/24 -j ACCEPT
            -A SSH -p udp -j ACCEPT
            -A INPUT -p icmp -j DROP
            -A INPUT -p tcp -j ACCEPT
            -A INPUT -p tcp -j ACCEPT
            COMMIT
            """;

    @TempDir
    Path dir;

    /** check with {@code options} over the rules above written to a file. */
    private Run check(String... options) throws IOException {
        Path file = Files.writeString(dir.resolve("host.rules"), RULES);
        String[] args = new String[options.length + 2];
        args[0] = "check";
        System.arraycopy(options, 0, args, 1, options.length);
        args[args.length - 1] = file.toString();
        return Run.of(args);
    }

    @Test
    void rulesThatNeverMatterAreWarningsNamingTheRulesThatCoverThem() throws IOException {
        Run check = check();
        Path file = dir.resolve("host.rules");
        assertThat(check.exitCode()).isZero();
        assertThat(check.err()).isEqualTo(file + ":14:1: warning: duplicate of line 13\n"
                + "  -A INPUT -p tcp -j ACCEPT\n  ^\n"
                + file + ":8:1: warning: rule never matches: every packet it matches is taken before it by " + file
                + ":7\n  -A INPUT -s 10.1.0.0/16 -p tcp -m tcp --dport 22 -j DROP\n  ^\n"
                + file + ":9:1: warning: rule changes nothing: without it the packets SSH decides get the same verdict"
                + " anyway, by " + file + ":13\n  -A INPUT -p tcp -m tcp --dport 22 -j SSH\n  ^\n"
                + file + ":10:1: warning: rule changes nothing: without it the packets it decides get ACCEPT anyway, by "
                + file + ":13\n  -A SSH -s 192.0.2.0/24 -j ACCEPT\n  ^\n"
                + file + ":11:1: warning: rule never matches: no packet that reaches chain SSH (from " + file
                + ":9) matches it\n"
                + "  -A SSH -p udp -j ACCEPT\n  ^\n"
                + file + ":12:1: warning: rule changes nothing: without it the packets it decides get DROP anyway, by"
                + " the policy of INPUT\n  -A INPUT -p icmp -j DROP\n  ^\n");
        assertThat(check.out()).isEqualTo(file + ": ok (iptables 9 rules); 0 errors, 6 warnings\n");
    }

    @Test
    void noDeadRulesLeavesOnlyTheRulesOwnChecks() throws IOException {
        Run check = check("--no-dead-rules");
        assertThat(check.exitCode()).isZero();
        assertThat(check.out()).isEqualTo(dir.resolve("host.rules") + ": ok (iptables 9 rules); 0 errors, 1 warning\n");
    }

    @Test
    void jsonListsTheWarningsWithTheirLines() throws IOException {
        Run check = check("--json");
        assertThat(check.exitCode()).isZero();
        assertThat(check.out()).contains("\"line\" : 11").contains("no packet that reaches chain SSH (from ").contains(":9) matches it");
    }

    @Test
    void httpCheckWarnsAsTheCommandLineDoes() throws IOException {
        Run check = check("--json");
        String file = dir.resolve("host.rules").toString();
        List<String> cli = new ArrayList<>();
        Json.parse(check.out()).forEach(d -> cli.add(d.get("severity").asText() + " " + d.get("line").asInt() + ":"
                + d.get("column").asInt() + " " + d.get("message").asText().replace(file, "request")));
        CheckResult http = new RampartService(null, Family.IPV4, null, ProcessRunner.system(), NameDatabase.system())
                .check(new RulesetRequest(RULES, "ipv4"));
        assertThat(http.ok()).isTrue();
        assertThat(http.diagnostics().stream().map(d -> d.severity() + " " + d.line() + ":" + d.column() + " "
                + d.message()).toList()).isEqualTo(cli).hasSize(6)
                .contains("warning 12:1 rule changes nothing: without it the packets it decides get DROP anyway, by"
                        + " the policy of INPUT");
        assertThat(http.diagnostics().get(1).located()).isEqualTo("request:8:1: warning: rule never matches: every"
                + " packet it matches is taken before it by request:7\n"
                + "  -A INPUT -s 10.1.0.0/16 -p tcp -m tcp --dport 22 -j DROP\n  ^");
    }

    /**
     * 24 rules, the i-th accepting packets with bit i of both addresses set: the packets that pass them all
     * take a decision-diagram node per set of destination bits, 2^24, past the analysis's bound.
     */
    private Path crossedBits() throws IOException {
        StringBuilder text = new StringBuilder("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        for (int i = 0; i < 24; i++) {
            int bit = 1 << i;
            String address = (bit >>> 24) + "." + (bit >>> 16 & 255) + "." + (bit >>> 8 & 255) + "." + (bit & 255);
            text.append("-A INPUT -d ").append(address).append('/').append(address).append(" -s ").append(address)
                    .append('/').append(address).append(" -j ACCEPT\n");
        }
        return Files.writeString(dir.resolve("crossed.rules"), text.append("COMMIT\n"));
    }

    @Test
    void aRulesetBeyondTheAnalysissBoundGetsOneWarningAndTheExitCodeOfTheOtherChecks() throws IOException {
        Path file = crossedBits();
        Run check = Run.of("check", file.toString());
        Run without = Run.of("check", "--no-dead-rules", file.toString());
        assertThat(check.exitCode()).isZero().isEqualTo(without.exitCode());
        assertThat(check.err()).isEqualTo(file + ": warning: dead-rule analysis not completed: the ruleset exceeds"
                + " its size bound (use --no-dead-rules to skip it)\n");
        assertThat(check.out()).isEqualTo(file + ": ok (iptables 24 rules); 0 errors, 1 warning\n");
        assertThat(without.out()).isEqualTo(file + ": ok (iptables 24 rules); 0 errors, 0 warnings\n");
        Run json = Run.of("check", "--json", file.toString());
        assertThat(json.exitCode()).isZero();
        assertThat(json.out()).contains("\"line\" : 0").contains("dead-rule analysis not completed");
    }
}
