package io.rampart.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.config.SourceRef;
import io.rampart.config.check.SourceWord;
import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RulesetParser;
import org.junit.jupiter.api.Test;

/** Where the whole-ruleset checker's findings about a request's text point. */
class RequestSourcesTest {

    private static final String TEXT = """
            *nat
            :OUTPUT ACCEPT [0:0]
            COMMIT
            *filter
            :INPUT DROP [0:0]
              :SSH - [0:0]
            -A INPUT -p tcp -m tcp --dport 22 -j SSH
            -A FORWARD -j SSH
            -A SSH -s 192.0.2.0/24 -j ACCEPT
            COMMIT
            """;

    private static RequestSources sources() throws Exception {
        return new RequestSources("request", TEXT,
                new RulesetParser(StandardExtensions.registry(), Family.IPV4).parseWithLines(TEXT));
    }

    @Test
    void rulesPointAtTheirLines() throws Exception {
        assertThat(sources().rule(Table.FILTER, 0)).isEqualTo(new SourceRef("request", 7, 1));
        assertThat(sources().rule(Table.FILTER, 2)).isEqualTo(new SourceRef("request", 9, 1));
    }

    @Test
    void chainsPointAtTheirDeclarationInTheirTableElseTheirFirstRule() throws Exception {
        assertThat(sources().chain(Table.FILTER, "SSH")).isEqualTo(new SourceRef("request", 6, 3));
        assertThat(sources().chain(Table.FILTER, "INPUT")).isEqualTo(new SourceRef("request", 5, 1));
        assertThat(sources().chain(Table.FILTER, "FORWARD")).isEqualTo(new SourceRef("request", 8, 1));
        assertThat(sources().chain(Table.NAT, "OUTPUT")).isEqualTo(new SourceRef("request", 2, 1));
    }

    @Test
    void wordsAreAtTheColumnsTheyWereWrittenAt() throws Exception {
        assertThat(sources().words(Table.FILTER, 0).get(6))
                .isEqualTo(new SourceWord("--dport", new SourceRef("request", 7, 24)));
    }

    @Test
    void checkerFindingsPointAtTheOffendingWord() {
        String text = "*nat\n:POSTROUTING ACCEPT [0:0]\n:PREROUTING ACCEPT [0:0]\n"
                + "-A PREROUTING -p tcp -j MASQUERADE\nCOMMIT\n";
        CheckResult.Finding finding = RampartService.checked("request", text, Family.IPV4).findings().get(0);
        assertThat(finding.line()).isEqualTo(4);
        assertThat(finding.column()).isEqualTo(text.lines().toList().get(3).indexOf("MASQUERADE") + 1);
    }
}
