package io.rampart.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Policy;
import io.rampart.model.Ruleset;
import io.rampart.model.Rule;
import io.rampart.model.Table;
import io.rampart.model.TableRules;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RulesetParserTest {

    private final RulesetParser parser = new RulesetParser(StandardExtensions.registry(), Family.IPV4,
            NameDatabase.system());

    @Test
    void readsTablesChainsPoliciesAndRulesWithTheirLines() throws RulesetSyntaxException {
        SourcedRuleset parsed = parser.parseWithLines("""
                # a comment
                *filter
                :INPUT DROP [12:345]
                :SSH - [0:0]

                -A INPUT -p tcp --dport 22 -j SSH
                -A SSH -j ACCEPT
                COMMIT
                """);
        Ruleset ruleset = parsed.ruleset();
        assertThat(ruleset.table(Table.FILTER).orElseThrow().chains())
                .containsExactly(new Chain("INPUT", Policy.DROP), Chain.user("SSH"));
        assertThat(parsed.lineOf(Table.FILTER, 0)).isEqualTo(6);
        assertThat(parsed.lineOf(Table.FILTER, 1)).isEqualTo(7);
    }

    @Test
    void theSharedDirectiveMarksABuiltinChain() throws RulesetSyntaxException {
        Ruleset ruleset = parser.parse("*filter\n# rampart: shared FORWARD tail\n-A FORWARD -j DROP\nCOMMIT\n");
        assertThat(ruleset.table(Table.FILTER).orElseThrow().chain("FORWARD").orElseThrow().sharing())
                .isEqualTo(Chain.Sharing.TAIL);
    }

    @Test
    void badDirectivesAreLocatedErrors() {
        assertThatThrownBy(() -> parser.parse("*filter\n# rampart: shared MYCHAIN\nCOMMIT\n"))
                .hasMessageContaining("only a built-in chain").extracting(e -> ((RulesetSyntaxException) e).line())
                .isEqualTo(2);
        assertThatThrownBy(() -> parser.parse("*filter\n# rampart: shared INPUT middle\nCOMMIT\n"))
                .hasMessageContaining("`head' or `tail'");
        assertThatThrownBy(() -> parser.parse("*filter\n# rampart: sharde INPUT\nCOMMIT\n"))
                .hasMessageContaining("unknown directive");
    }

    @Test
    void structuralErrorsNameTheLine() {
        assertThatThrownBy(() -> parser.parse("*filter\n-A NOPE -j ACCEPT\nCOMMIT\n"))
                .hasMessageContaining("chain NOPE is not declared");
        assertThatThrownBy(() -> parser.parse("*filter\n-A INPUT -j NOPE\nCOMMIT\n"))
                .hasMessageContaining("jump to undeclared chain NOPE");
        assertThatThrownBy(() -> parser.parse("*filter\n:INPUT - [0:0]\nCOMMIT\n"))
                .hasMessageContaining("needs a policy");
        assertThatThrownBy(() -> parser.parse("*filter\n-A INPUT -j ACCEPT\n"))
                .hasMessageContaining("has no COMMIT");
        assertThatThrownBy(() -> parser.parse("*filtre\nCOMMIT\n")).hasMessageContaining("unknown table");
    }

    @Test
    void aTargetNameIsNeverAJumpToAChainOfThatName() {
        assertThatThrownBy(() -> parser.parse("*filter\n-A INPUT -j ULOG --ulog-nlgroup 1\nCOMMIT\n"))
                .hasMessageContaining("target ULOG is no longer in the kernel: use NFLOG");
        assertThatThrownBy(() -> parser.parse("*filter\n:CLUSTERIP - [0:0]\n-A INPUT -j CLUSTERIP\nCOMMIT\n"))
                .hasMessageContaining("chain name CLUSTERIP is the name of a target");
        assertThatThrownBy(() -> parser.parse("*filter\n:TEE - [0:0]\n-A INPUT -j TEE\nCOMMIT\n"))
                .hasMessageContaining("chain name TEE is the name of a target");
        assertThatThrownBy(() -> parser.parse("*mangle\n-A POSTROUTING -j SNPT\nCOMMIT\n"))
                .hasMessageContaining("jump to undeclared chain SNPT: SNPT is a target of ip6tables only");
        assertThatThrownBy(() -> parser.parse("*filter\n-A OUTPUT -p tcp -j SYNPROXY --mss 1460\nCOMMIT\n"))
                .hasMessageContaining("target SYNPROXY is only valid in INPUT, FORWARD");
    }

    @Test
    void aTargetOfTheOtherFamilyOnlyIsAChainNameHere() throws RulesetSyntaxException {
        // As the kernel does: ip6tables' HL target is unknown to iptables, so HL is a chain's name there.
        Ruleset ruleset = parser.parse("*mangle\n:HL - [0:0]\n-A INPUT -j HL\nCOMMIT\n");
        assertThat(ruleset.table(Table.MANGLE).orElseThrow().rules().get(0).target().name()).isEqualTo("HL");
        assertThatThrownBy(() -> new RulesetParser(StandardExtensions.registry(), Family.IPV6, NameDatabase.system())
                .parse("*mangle\n:HL - [0:0]\nCOMMIT\n")).hasMessageContaining("chain name HL is the name of a target");
    }
    @Test
    void wordsReadBeforeInAnotherChainGiveWhatTheLineGivesAlone() {
        List<String> lines = List.of("*filter", ":a - [0:0]", ":longer-name - [0:0]",
                "-A a -m conntrack --ctstate INVALID -j DROP",
                "-A longer-name -m conntrack --ctstate INVALID -j DROP",
                "-A INPUT -m conntrack --ctstate INVALID -j DROP",
                "-A INPUT -i eth0 -s 10.0.0.1,10.0.0.2 -j ACCEPT",
                "-A OUTPUT -i eth0 -s 10.0.0.1,10.0.0.2 -j ACCEPT",
                "-A a -i eth0 -s 10.0.0.1,10.0.0.2 -j ACCEPT",
                "-A a -p tcp --dport nope -j ACCEPT",
                "-A longer-name -p tcp --dport nope -j ACCEPT",
                "-A \"a\" -m conntrack --ctstate INVALID -j DROP",
                "  -A\ta -m conntrack --ctstate INVALID -j DROP",
                "-A a\t-m conntrack --ctstate INVALID -j DROP",
                "-A a-chain-name-longer-than-the-kernel-takes -m conntrack --ctstate INVALID -j DROP",
                "-A ! -m conntrack --ctstate INVALID -j DROP",
                "COMMIT", "*nat",
                "-A OUTPUT -i eth0 -s 10.0.0.1,10.0.0.2 -j ACCEPT",
                "-A PREROUTING -i eth0 -s 10.0.0.1,10.0.0.2 -j ACCEPT",
                "-A OUTPUT -m conntrack --ctstate INVALID -j DROP",
                "COMMIT");
        List<RulesetSyntaxException> errors = new ArrayList<>();
        Ruleset together = parser.parseLines(lines, errors::add).ruleset();

        RuleParser alone = new RuleParser(StandardExtensions.registry(), Family.IPV4, NameDatabase.system());
        Map<Table, List<Rule>> expected = new LinkedHashMap<>();
        List<String> expectedErrors = new ArrayList<>();
        Table table = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("*")) {
                table = Table.byLabel(line.substring(1)).orElseThrow();
                expected.put(table, new ArrayList<>());
            } else if (line.strip().startsWith("-A")) {
                try {
                    expected.get(table).addAll(alone.parseLine(line, table));
                } catch (RuleSyntaxException e) {
                    expectedErrors.add((i + 1) + ":" + e.column() + ": " + e.problem() + " / " + e.hint());
                }
            }
        }
        assertThat(together.tables()).hasSize(2);
        for (TableRules rules : together.tables()) {
            assertThat(rules.rules()).containsExactlyElementsOf(expected.get(rules.table()));
        }
        assertThat(errors).extracting(e -> e.line() + ":" + e.column() + ": " + e.problem() + " / " + e.hint())
                .containsExactlyElementsOf(expectedErrors);
        // -i in OUTPUT (filter, nat), the service nope twice, two chain names, DROP in nat where filter took it
        assertThat(expectedErrors).hasSize(7);
    }
}
