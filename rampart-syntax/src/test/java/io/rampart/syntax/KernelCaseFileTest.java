package io.rampart.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Family;
import io.rampart.model.Table;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelCaseFileTest {

    private static final String TEXT = """
            # tcp, then a user chain in nat
            @version iptables v1.8.9 (nf_tables)
            @family ipv4
            @table filter
            -A INPUT -p tcp --dport 22 -j ACCEPT
            = -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT

            -A INPUT -s 192.0.2.1,192.0.2.2 -j DROP
            = -A INPUT -s 192.0.2.1/32 -j DROP
            = -A INPUT -s 192.0.2.2/32 -j DROP
            @family ipv6
            @table nat
            @chains FOO BAR
            -A FOO -j BAR
            = refused
            @chains
            -A OUTPUT -j ACCEPT
            """;

    @Test
    void directivesAreStickyAndAnswersBelongToTheCaseBeforeThem() {
        List<KernelCase> cases = KernelCaseFile.parse("t.cases", TEXT).cases();
        assertThat(cases).hasSize(4);
        assertThat(cases.get(0)).isEqualTo(new KernelCase("t.cases", 5, "iptables v1.8.9 (nf_tables)", Family.IPV4,
                Table.FILTER, List.of(), "-A INPUT -p tcp --dport 22 -j ACCEPT",
                KernelAnswer.saved(List.of("-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT"))));
        assertThat(cases.get(1).answer().savedLines()).hasSize(2);
        assertThat(cases.get(2).family()).isEqualTo(Family.IPV6);
        assertThat(cases.get(2).table()).isEqualTo(Table.NAT);
        assertThat(cases.get(2).declarations()).containsExactly(":FOO - [0:0]", ":BAR - [0:0]");
        assertThat(cases.get(2).answer()).isEqualTo(KernelAnswer.REFUSED);
        assertThat(cases.get(3).chains()).isEmpty();
        assertThat(cases.get(3).answer().recorded()).isFalse();
        assertThat(cases.get(3).where()).isEqualTo("t.cases:17");
    }

    @Test
    void rewritingAnswersKeepsEverythingElse() {
        KernelCaseFile file = KernelCaseFile.parse("t.cases", TEXT);
        String rewritten = file.withAnswers(Map.of(5, KernelAnswer.REFUSED, 8,
                KernelAnswer.saved(List.of("-A INPUT -j DROP")), 14, KernelAnswer.REFUSED, 17,
                KernelAnswer.saved(List.of("-A OUTPUT -j ACCEPT"))), "iptables v1.8.10 (nf_tables)");
        assertThat(rewritten).isEqualTo(TEXT
                .replace("v1.8.9", "v1.8.10")
                .replace("= -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", "= refused")
                .replace("= -A INPUT -s 192.0.2.1/32 -j DROP\n= -A INPUT -s 192.0.2.2/32 -j DROP",
                        "= -A INPUT -j DROP")
                + "= -A OUTPUT -j ACCEPT\n");
        assertThat(KernelCaseFile.parse("t.cases", rewritten).withAnswers(Map.of(), "x").lines()
                .filter(line -> line.startsWith("= "))).isEmpty();
    }

    @Test
    void aVersionIsAddedBeforeTheFirstCaseWhenTheFileHasNone() {
        KernelCaseFile file = KernelCaseFile.parse("t.cases", "@family ipv4\n@table raw\n-A OUTPUT\n");
        assertThat(file.withAnswers(Map.of(3, KernelAnswer.saved(List.of("-A OUTPUT"))), "iptables v1.8.9 (legacy)"))
                .isEqualTo("@family ipv4\n@table raw\n@version iptables v1.8.9 (legacy)\n-A OUTPUT\n= -A OUTPUT\n");
    }

    @Test
    void badLinesAreNamedWithTheirPlace() {
        assertThatThrownBy(() -> KernelCaseFile.parse("t.cases", "@family ipv4\n-A INPUT\n"))
                .hasMessage("t.cases:2: a case before @family and @table");
        assertThatThrownBy(() -> KernelCaseFile.parse("t.cases", "= refused\n"))
                .hasMessage("t.cases:1: an answer without a case before it");
        assertThatThrownBy(() -> KernelCaseFile.parse("t.cases", "@family ipv5\n"))
                .hasMessage("t.cases:1: unknown family ipv5 (ipv4 or ipv6)");
        assertThatThrownBy(() -> KernelCaseFile.parse("t.cases", "@table broute\n"))
                .hasMessage("t.cases:1: unknown table broute");
        assertThatThrownBy(() -> KernelCaseFile.parse("t.cases", "-I INPUT -j DROP\n"))
                .hasMessage("t.cases:1: not a case, an answer or a directive: -I INPUT -j DROP");
        assertThatThrownBy(() -> KernelCaseFile.parse("t.cases", "@family ipv4\n@table filter\n-A INPUT\n= refused\n= -A INPUT\n"))
                .hasMessage("t.cases:3: a case both refused and saved");
    }
}
