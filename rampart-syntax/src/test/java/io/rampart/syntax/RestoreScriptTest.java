package io.rampart.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Policy;
import io.rampart.syntax.RestoreScript.Append;
import io.rampart.syntax.RestoreScript.DeleteAt;
import io.rampart.syntax.RestoreScript.DeleteChain;
import io.rampart.syntax.RestoreScript.DeleteRule;
import io.rampart.syntax.RestoreScript.Flush;
import io.rampart.syntax.RestoreScript.Insert;
import io.rampart.syntax.RestoreScript.Replace;
import io.rampart.syntax.RestoreScript.SetPolicy;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestoreScriptTest {

    private static final String RULE = "-A INPUT -s 10.0.0.1/32 -j ACCEPT";

    @Test
    void eachCommandIsWrittenInTheFormIptablesRestoreReads() {
        RestoreScript.Builder builder = new RestoreScript.Builder();
        builder.table("nat"); // no command: left out
        builder.table("filter").add(new Append(RULE, "a.rules:3")).declare("NEW")
                .add(new Insert(RULE, 2, "a.rules:4")).add(new Replace(RULE, 1, null)).add(new DeleteAt("INPUT", 3, null))
                .add(new DeleteRule(RULE, null)).add(new Flush("OLD", null)).add(new DeleteChain("OLD", null))
                .add(new SetPolicy("INPUT", Policy.DROP, null)).declare("NEW");
        RestoreScript script = builder.build();
        assertThat(script.text()).isEqualTo("""
                *filter
                :NEW - [0:0]
                -A INPUT -s 10.0.0.1/32 -j ACCEPT
                -I INPUT 2 -s 10.0.0.1/32 -j ACCEPT
                -R INPUT 1 -s 10.0.0.1/32 -j ACCEPT
                -D INPUT 3
                -D INPUT -s 10.0.0.1/32 -j ACCEPT
                -F OLD
                -X OLD
                -P INPUT DROP
                COMMIT
                """);
        assertThat(script.sources()).containsExactly(null, null, "a.rules:3", "a.rules:4", null, null, null, null,
                null, null, null);
        assertThat(script.tables()).containsExactly("filter");
    }

    @Test
    void textReadsBackAsTheSameCommandsWithTheirSources() {
        String text = "*filter\n# a comment\n:C1 - [0:0]\n:INPUT DROP [0:0]\n-A C1 -j ACCEPT\n-I INPUT 1 -j C1\n"
                + "-I INPUT -j DROP\n-R C1 1 -j RETURN\n-D C1 1\n-D INPUT -j C1\n-F C1\n-X C1\n-P INPUT ACCEPT\nCOMMIT\n";
        List<String> sources = Arrays.asList(null, null, null, null, "f:5", "f:6");
        RestoreScript script = RestoreScript.parse(text, sources);
        assertThat(script.line(5)).isEqualTo(new Append("-A C1 -j ACCEPT", "f:5"));
        assertThat(script.line(6)).isEqualTo(new Insert("-A INPUT -j C1", 1, "f:6"));
        assertThat(script.line(7)).isEqualTo(new Insert("-A INPUT -j DROP", 1, null));
        assertThat(script.line(9)).isEqualTo(new DeleteAt("C1", 1, null));
        assertThat(script.line(10)).isEqualTo(new DeleteRule("-A INPUT -j C1", null));
        assertThat(script.line(15)).isNull();
        assertThat(script.text()).isEqualTo(text.replace("-I INPUT -j DROP", "-I INPUT 1 -j DROP"));
    }

    @Test
    void aLineThatIsNoCommandIsNamed() {
        assertThatThrownBy(() -> RestoreScript.parse("*filter\n-Z INPUT\nCOMMIT\n"))
                .hasMessageContaining("line 2").hasMessageContaining("-Z INPUT");
    }

    @Test
    void aTableNamingManyChainsIsListedFirstUnlessItHoldsMoreRulesThanTheWalkWouldCost() {
        RestoreScript many = chains(5_000, 0);
        assertThat(many.line(1)).isEqualTo(new RestoreScript.TableStart("filter"));
        assertThat(many.line(2)).isEqualTo(new RestoreScript.ListRules());
        assertThat(many.line(3).text()).isEqualTo(":C0 - [0:0]");
        // A built-in chain the script names is declared before the listing, which would take it as made.
        RestoreScript.Builder withInput = new RestoreScript.Builder();
        RestoreScript.TableBuilder filter = withInput.table("filter");
        for (int i = 0; i < 5_000; i++) {
            filter.declare("C" + i).add(new Append("-A INPUT -j C" + i, null));
        }
        assertThat(withInput.build().text()).startsWith("*filter\n:INPUT - [0:0]\n-S\n:C0 - [0:0]\n");
        assertThat(many.sources()).hasSize(many.lines().size());
        // 10,000 commands on 5,000 chains: 50 million steps of the walk, worth a listing of 8,333 rules.
        assertThat(chains(5_000, 8_000).line(2)).isEqualTo(new RestoreScript.ListRules());
        assertThat(chains(5_000, 9_000).line(2).text()).isEqualTo(":C0 - [0:0]");
        // 32 million steps: not worth listing even an empty table.
        assertThat(chains(4_000, 0).text()).doesNotContain("-S");
    }

    @Test
    void aListingReadsBackAsItself() {
        RestoreScript script = RestoreScript.parse("*filter\n-S\n:C1 - [0:0]\nCOMMIT\n");
        assertThat(script.line(2)).isEqualTo(new RestoreScript.ListRules());
        assertThat(script.text()).isEqualTo("*filter\n-S\n:C1 - [0:0]\nCOMMIT\n");
    }

    /** A filter section making {@code count} chains of one rule each, in a table holding {@code held} rules. */
    private static RestoreScript chains(int count, long held) {
        RestoreScript.Builder builder = new RestoreScript.Builder();
        RestoreScript.TableBuilder table = builder.table("filter").holding(held);
        for (int i = 0; i < count; i++) {
            table.declare("C" + i).add(new Append("-A C" + i + " -j ACCEPT", null));
        }
        return builder.build();
    }
}
