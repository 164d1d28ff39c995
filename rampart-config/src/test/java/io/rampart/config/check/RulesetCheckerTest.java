package io.rampart.config.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.config.Diagnostic;
import io.rampart.config.SourceRef;
import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extensions.StandardExtensions;
import java.util.List;
import org.junit.jupiter.api.Test;

class RulesetCheckerTest {

    private static final String RULES = """
            *nat
            :POSTROUTING ACCEPT [0:0]
            :PREROUTING ACCEPT [0:0]
            :OUT - [0:0]
            -A POSTROUTING -j OUT
            -A PREROUTING -j OUT
            -A OUT -j MASQUERADE
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :DUP - [0:0]
            :DUP - [0:0]
            -A INPUT -j ACCEPT
            -A INPUT -j LOG --log-prefix "a prefix longer than the kernel keeps"
            COMMIT
            """;

    @Test
    void findingsComeInSourceOrderWhicheverCheckFoundThem() throws Exception {
        List<Diagnostic> findings = check(new TextSources("f.rules", RULES, Family.IPV4));
        assertThat(findings).extracting(d -> d.where().line() + " " + d.severity() + " " + d.message().split(":")[0])
                .containsExactly(
                        "7 ERROR target MASQUERADE is only valid in POSTROUTING, not in PREROUTING",
                        "12 ERROR chain DUP is declared twice",
                        "14 ERROR --log-prefix is 37 bytes long",
                        "14 WARNING rule never matches");
    }

    /** A front end that gives no words: findings point at the rule, and written text cannot be compared. */
    @Test
    void withoutWordsFindingsPointAtTheRuleAndCutTextIsNotSeen() throws Exception {
        TextSources text = new TextSources("f.rules", RULES, Family.IPV4);
        RuleSources lines = new RuleSources() {
            @Override
            public SourceRef rule(Table table, int index) {
                return text.rule(table, index);
            }

            @Override
            public SourceRef chain(Table table, String chain) {
                return text.chain(table, chain);
            }
        };
        List<Diagnostic> findings = new RulesetChecker(StandardExtensions.registry()).check(text.ruleset(), lines);
        assertThat(findings).extracting(d -> d.where().toString() + " " + d.message().split(":")[0])
                .containsExactly(
                        "f.rules:7:1 target MASQUERADE is only valid in POSTROUTING, not in PREROUTING",
                        "f.rules:11:2 chain DUP is declared twice",
                        "f.rules:14:1 rule never matches");
    }

    /**
     * Findings point at the words the parser read for them: the second of two comments, an
     * interface option written in full after a comment that reads like it.
     */
    @Test
    void findingsPointAtTheWordsTheParserReadForThem() throws Exception {
        String cut = "-A OUT -m comment --comment short -m comment --comment \"" + "x".repeat(300) + "\" -j ACCEPT";
        String lookalike = "-A OUT -m comment --comment \"-i\" --in-interface eth0 -j ACCEPT";
        String text = String.join("\n", "*filter", ":OUTPUT ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUT - [0:0]",
                "-A OUTPUT -j OUT", cut, lookalike, "COMMIT", "");
        List<Diagnostic> findings = check(new TextSources("f.rules", text, Family.IPV4));
        assertThat(findings).extracting(d -> d.where().toString() + " " + d.message().split(":")[0])
                .containsExactly(
                        "f.rules:6:" + (cut.lastIndexOf('"' + "x") + 1) + " --comment is 300 bytes long",
                        "f.rules:7:" + (lookalike.indexOf("--in-interface") + 1) + " -i has no interface to test"
                                + " in chain OUT");
    }

    /** Chains no built-in chain reaches may nest without limit: the loop at the bottom is still found. */
    @Test
    void aVeryDeepUnreachedNestingIsWalkedToItsLoop() throws Exception {
        int depth = 20_000;
        StringBuilder text = new StringBuilder("*filter\n");
        for (int i = 0; i < depth; i++) {
            text.append(":C").append(i).append(" - [0:0]\n");
        }
        for (int i = 0; i + 1 < depth; i++) {
            text.append("-A C").append(i).append(" -j C").append(i + 1).append('\n');
        }
        text.append("-A C").append(depth - 1).append(" -j C").append(depth - 2).append("\nCOMMIT\n");
        List<Diagnostic> findings = check(new TextSources("deep.rules", text.toString(), Family.IPV4));
        assertThat(findings).extracting(Diagnostic::message).containsExactly("jump loop C19998 -> C19999 -> C19998:"
                + " no built-in chain reaches it, and the kernel refuses any jump into it (\"Too many links\"), so it"
                + " can never be used");
        assertThat(findings).allMatch(Diagnostic::isError);
    }

    /**
     * What ends a chain is what the target's spec declares it does: a verdict, a queue, NAT; a
     * target that lets the packet go on ends nothing.
     */
    @Test
    void aRuleAfterATargetThatEndsTheChainNeverMatches() throws Exception {
        assertThat(endsChain("filter", "INPUT", "-j REJECT")).isTrue();
        assertThat(endsChain("filter", "INPUT", "-j NFQUEUE --queue-num 3 --queue-bypass")).isTrue();
        assertThat(endsChain("nat", "PREROUTING", "-j DNAT --to-destination 10.0.0.1")).isTrue();
        assertThat(endsChain("nat", "PREROUTING", "-j NETMAP --to 10.0.0.0/24")).isTrue();
        assertThat(endsChain("filter", "INPUT", "-g T")).isTrue();
        assertThat(endsChain("filter", "INPUT", "-j T")).isFalse();
        assertThat(endsChain("filter", "INPUT", "-j LOG")).isFalse();
        assertThat(endsChain("mangle", "PREROUTING", "-j MARK --set-mark 1")).isFalse();
        assertThat(endsChain("mangle", "PREROUTING", "-j TTL --ttl-set 3")).isFalse();
    }

    /** Whether the rule after the unconditional {@code target}, in a user chain {@code chain} jumps to, never matches. */
    private static boolean endsChain(String table, String chain, String target) {
        String text = String.join("\n", "*" + table, ":" + chain + " ACCEPT [0:0]", ":U - [0:0]", ":T - [0:0]",
                "-A " + chain + " -j U", "-A U " + target, "-A U -j ACCEPT", "COMMIT", "");
        return check(new TextSources("f.rules", text, Family.IPV4)).stream()
                .anyMatch(d -> d.message().startsWith("rule never matches"));
    }

    private static List<Diagnostic> check(TextSources sources) {
        return new RulesetChecker(StandardExtensions.registry()).check(sources.ruleset(), sources);
    }
}
