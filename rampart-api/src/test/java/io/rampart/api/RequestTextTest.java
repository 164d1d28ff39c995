package io.rampart.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.config.IncludePolicy;
import io.rampart.config.RulesetSource;
import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Request text is read through the ruleset language, with includes refused, and checked as FILE is. */
class RequestTextTest {

    private static List<CheckResult.Finding> findings(String text) {
        return RampartService.checked("request", text, Family.IPV4, Optional.empty(), NameDatabase.system())
                .findings();
    }

    @Test
    void checkerFindingsPointAtTheOffendingWord() {
        String text = "*nat\n:POSTROUTING ACCEPT [0:0]\n:PREROUTING ACCEPT [0:0]\n"
                + "-A PREROUTING -p tcp -j MASQUERADE\nCOMMIT\n";
        CheckResult.Finding finding = findings(text).get(0);
        assertThat(finding.line()).isEqualTo(4);
        assertThat(finding.column()).isEqualTo(text.lines().toList().get(3).indexOf("MASQUERADE") + 1);
    }

    @Test
    void anIncludeIsRefusedAtItsLineAndColumn() {
        String text = "*filter\n:INPUT ACCEPT [0:0]\n  include \"/etc/passwd\"\nCOMMIT\n";
        List<CheckResult.Finding> found = findings(text);
        assertThat(found).hasSize(1);
        CheckResult.Finding refused = found.get(0);
        assertThat(refused.isError()).isTrue();
        assertThat(refused.line()).isEqualTo(3);
        assertThat(refused.column()).isEqualTo(3);
        assertThat(refused.located()).startsWith("request:3:3: error: includes are not allowed in request text");
    }

    @Test
    void variablesListsMacrosAndBothFamiliesAreTheLanguagesAndLandOnTheirLines() {
        String text = """
                # the web server
                define PORTS = {80, 443}
                macro allow(port)
                -A INPUT -p tcp --dport $port -j ACCEPT
                end
                *filter both
                :INPUT DROP [0:0]
                -A INPUT -p tcp -m multiport --dports 8080,8443 -j ACCEPT
                -A INPUT -s {192.0.2.0/24, 2001:db8::/32} -p tcp --dport $PORTS -j ACCEPT
                use allow(22)
                COMMIT
                """;
        RampartService.Checked checked = RampartService.checked("request", text, Family.IPV4, Optional.empty(),
                NameDatabase.system());
        assertThat(checked.errors()).isEmpty();
        var ipv4 = checked.read().families().get(Family.IPV4);
        var ipv6 = checked.read().families().get(Family.IPV6);
        assertThat(ipv4.ruleset().table(Table.FILTER).orElseThrow().rules()).hasSize(4);
        assertThat(ipv6.ruleset().table(Table.FILTER).orElseThrow().rules()).hasSize(4);
        assertThat(ipv4.location(Table.FILTER, 1)).isEqualTo("request:9");
        assertThat(ipv6.location(Table.FILTER, 2)).isEqualTo("request:9");
        assertThat(ipv4.location(Table.FILTER, 3)).as("a macro's rule is where its body wrote it")
                .isEqualTo("request:4");
    }

    @Test
    void aFileFollowsItsIncludesAsBefore() {
        RulesetSource followed = RulesetSource.loadText("text", "include \"no-such-file.rules\"\n", Family.IPV4,
                StandardExtensions.registry(), Optional.empty(), IncludePolicy.FOLLOW, NameDatabase.system());
        assertThat(followed.diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.message()).contains("no such file").doesNotContain("not allowed"));
    }
}
