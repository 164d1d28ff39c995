package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line, run in-process: output, diagnostics and exit codes. */
class CliTest {

    private static Run run(String stdin, String... args) {
        return Run.withStdin(stdin, args);
    }

    @Test
    void canonPrintsOneLinePerInputLine() {
        Run run = run("-A INPUT --src 10.1.2.3/255.255.0.0 -p tcp --dport ssh -j ACCEPT\n"
                + "-A INPUT -p tcp --dprot 22\n", "canon");
        assertThat(run.out()).isEqualTo("-A INPUT -s 10.1.0.0/16 -p tcp -m tcp --dport 22 -j ACCEPT\n"
                + "error: unknown option --dprot (did you mean --dport?)\n");
        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    }

    @Test
    void canonExitsZeroWhenEveryRuleIsValid() {
        Run run = run("-A INPUT -j ACCEPT\n", "canon", "-6");
        assertThat(run.out()).isEqualTo("-A INPUT -j ACCEPT\n");
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void canonJsonGivesTheRuleModelAndErrorColumns() throws Exception {
        Run run = run("-A INPUT -p udp --dport 53 -j ACCEPT\n-A INPUT -s 300.0.0.1 -j DROP\n", "canon", "--json");
        String[] lines = run.out().split("\n");
        JsonNode ok = new ObjectMapper().readTree(lines[0]);
        assertThat(ok.at("/canonical/0").asText()).isEqualTo("-A INPUT -p udp -m udp --dport 53 -j ACCEPT");
        assertThat(ok.at("/rules/0/matches/0/extension").asText()).isEqualTo("udp");
        assertThat(ok.at("/rules/0/matches/0/options/0/args/0").asText()).isEqualTo("53");
        JsonNode bad = new ObjectMapper().readTree(lines[1]);
        assertThat(bad.at("/error").asText()).contains("300.0.0.1");
        assertThat(bad.at("/column").asInt()).isEqualTo(13);
    }

    @Test
    void anUnknownTableIsBadInput() {
        Run run = run("", "canon", "-t", "filtre");
        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(run.err()).contains("unknown table `filtre'");
    }

    @Test
    void anUnknownFlagIsAUsageError() {
        Run run = run("", "canon", "--tabel", "nat");
        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("--tabel").doesNotContain("Exception");
    }

    @Test
    void describeShowsOptionsWithHelp() {
        Run run = run("", "describe", "tcp");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("match tcp").contains("[!] --dport, --destination-port port[:port]")
                .contains("loaded by -m tcp, or by -p tcp");
    }

    @Test
    void describeJsonIsTheRegistry() throws Exception {
        Run run = run("", "describe", "--json");
        JsonNode all = new ObjectMapper().readTree(run.out());
        assertThat(all.isArray()).isTrue();
        JsonNode tcp = null;
        for (JsonNode node : all) {
            if (node.get("name").asText().equals("tcp")) {
                tcp = node;
            }
        }
        assertThat(tcp).isNotNull();
        assertThat(tcp.get("kind").asText()).isEqualTo("match");
        assertThat(tcp.at("/options/1/name").asText()).isEqualTo("--dport");
        assertThat(tcp.at("/options/1/negatable").asBoolean()).isTrue();
    }

    @Test
    void describeCountsTheExtensionsAndNamesTheWithdrawnTargets() throws Exception {
        Run all = run("", "describe");
        assertThat(all.out()).containsPattern("\\d+ matches and 40 targets; refused, as the kernel no longer has"
                + " them: CLUSTERIP \\(use the cluster match").contains("ULOG (use NFLOG");
        assertThat(all.out()).contains("target  SYNPROXY").contains("target  SNPT         ipv6");
        Run ulog = run("", "describe", "ULOG");
        assertThat(ulog.exitCode()).isZero();
        assertThat(ulog.out()).isEqualTo("target ULOG (iptables): no longer in the kernel, refused: use NFLOG"
                + " (-j NFLOG --nflog-group N) instead\n");
        JsonNode json = new ObjectMapper().readTree(run("", "describe", "--json").out());
        List<String> targets = new java.util.ArrayList<>();
        json.forEach(node -> {
            if (node.get("kind").asText().equals("target")) {
                targets.add(node.get("name").asText());
            }
        });
        assertThat(targets).contains("SYNPROXY", "TEE", "HMARK", "IDLETIMER", "LED", "RATEEST", "SECMARK",
                "CONNSECMARK", "TCPOPTSTRIP", "ECN", "SNPT", "DNPT");
    }

    @Test
    void describeSuggestsCloseNames() {
        Run run = run("", "describe", "tpc");
        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(run.err()).contains("did you mean tcp?");
    }

    @Test
    void versionIsPrinted() {
        Run run = run("", "--version");
        assertThat(run.out()).startsWith("rampart ");
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void agentRefusesAnIntervalThatIsNoDuration() {
        Run run = run("", "agent", "--interval", "soon", "firewall.rules");
        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(run.err()).isEqualTo("rampart: --interval: `soon' is not a positive duration: write e.g. 5s, 500ms"
                + " or 1m\n");
    }

    @Test
    void agentIntervalsTakeAUnit() {
        assertThat(AgentCommand.parseInterval("5")).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(AgentCommand.parseInterval("250ms")).isEqualTo(java.time.Duration.ofMillis(250));
        assertThat(AgentCommand.parseInterval("2m")).isEqualTo(java.time.Duration.ofMinutes(2));
    }
}
