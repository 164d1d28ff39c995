package io.rampart.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Policy;
import io.rampart.model.Ruleset;
import io.rampart.model.Table;
import io.rampart.model.extensions.StandardExtensions;
import org.junit.jupiter.api.Test;

class RulesetParserTest {

    private final RulesetParser parser = new RulesetParser(StandardExtensions.registry(), Family.IPV4);

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
}
