package io.rampart.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What golden files do not show: looked-up values, rule sources, and the default family. */
class LanguageTest {

    @TempDir
    Path dir;

    /** Interfaces and hosts as a table, the way a namespace would answer. */
    private static final ValueResolver RESOLVER = new ValueResolver() {
        @Override
        public List<String> interfaceAddresses(String iface, Family family) throws ResolveException {
            Map<String, List<String>> v4 = Map.of("eth0", List.of("203.0.113.7", "203.0.113.8"), "eth1", List.of());
            Map<String, List<String>> v6 = Map.of("eth0", List.of("2001:db8::7"), "eth1", List.of());
            List<String> found = (family == Family.IPV4 ? v4 : v6).get(iface);
            if (found == null) {
                throw new ResolveException("no interface " + iface);
            }
            return found;
        }

        @Override
        public List<String> hostAddresses(String host, Family family) {
            return host.equals("backup.example.net")
                    ? (family == Family.IPV4 ? List.of("198.51.100.20", "198.51.100.21") : List.of("2001:db8::20"))
                    : List.of();
        }
    };

    private RulesetSource load(String text, Family family, Optional<ValueResolver> resolver) throws IOException {
        Path file = dir.resolve("main.rules");
        Files.writeString(file, text);
        return RulesetSource.load(file, family, StandardExtensions.registry(), resolver, NameDatabase.system());
    }

    private String messages(RulesetSource source) {
        return String.join("\n", source.diagnostics().stream().map(d -> d.where().line() + ":" + d.where().column()
                + " " + d.message()).toList());
    }

    @Test
    void applyTimeValuesAreLookedUpWithAResolver() throws IOException {
        RulesetSource source = load("""
                *filter both
                -A INPUT -s @host(backup.example.net) -j ACCEPT
                COMMIT
                *nat
                -A POSTROUTING -o eth0 -j SNAT --to-source @addr(eth0)
                COMMIT
                """, Family.IPV4, Optional.of(RESOLVER));
        assertThat(source.diagnostics()).isEmpty();
        assertThat(source.families().get(Family.IPV4).restoreText()).contains(
                "-A INPUT -s 198.51.100.20 -j ACCEPT\n-A INPUT -s 198.51.100.21 -j ACCEPT\n",
                "--to-source 203.0.113.7\n").doesNotContain("203.0.113.8");
        assertThat(source.families().get(Family.IPV6).restoreText()).contains("-A INPUT -s 2001:db8::20 -j ACCEPT");
    }

    @Test
    void aValueThatCannotBeLookedUpIsALocatedError() throws IOException {
        RulesetSource source = load("""
                *nat
                -A POSTROUTING -o eth1 -j SNAT --to-source @addr(eth1)
                -A POSTROUTING -o eth9 -j SNAT --to-source @addr(eth9)
                -A POSTROUTING -s @host(nowhere.example) -j ACCEPT
                COMMIT
                """, Family.IPV4, Optional.of(RESOLVER));
        assertThat(messages(source)).isEqualTo("""
                2:44 interface eth1 has no IPv4 address now
                3:44 @addr(eth9): no interface eth9
                4:19 host nowhere.example has no IPv4 address""");
    }

    @Test
    void theSourceNamesEveryFileItReadAndEveryDirectoryAGlobListed() throws IOException {
        Files.createDirectories(dir.resolve("parts"));
        Files.createDirectories(dir.resolve("rules.d"));
        Files.writeString(dir.resolve("parts/ssh.rules"), "-A INPUT -p tcp --dport 22 -j ACCEPT\n");
        Files.writeString(dir.resolve("rules.d/10-web.rules"), "-A INPUT -p tcp --dport 80 -j ACCEPT\n");
        RulesetSource source = load("""
                *filter
                include "parts/ssh.rules"
                include "rules.d/*.rules"
                include "later/*.rules"
                include "missing.rules"
                COMMIT
                """, Family.IPV4, Optional.empty());
        // The missing include is an error, and the source still says what it looked for.
        assertThat(source.hasErrors()).isTrue();
        assertThat(source.inputs()).containsExactly(dir.resolve("main.rules"), dir.resolve("parts/ssh.rules"),
                dir.resolve("rules.d"), dir.resolve("rules.d/10-web.rules"), dir.resolve("later"),
                dir.resolve("missing.rules"));
    }

    @Test
    void rulesAndChainsKnowWhereTheyWereWritten() throws IOException {
        Files.createDirectories(dir.resolve("parts"));
        Files.writeString(dir.resolve("parts/ssh.rules"), "\n-A SSH -s 192.0.2.0/24 -j ACCEPT\n");
        RulesetSource source = load("""
                *filter
                :SSH - [0:0]
                -A INPUT -p tcp --dport {22,2222} -j SSH
                include "parts/ssh.rules"
                COMMIT
                """, Family.IPV4, Optional.empty());
        FamilyRuleset rules = source.families().get(Family.IPV4);
        String main = dir.resolve("main.rules").toString();
        assertThat(rules.rule(Table.FILTER, 1)).isEqualTo(new SourceRef(main, 3, 1));
        assertThat(rules.rule(Table.FILTER, 2)).isEqualTo(new SourceRef(dir.resolve("parts/ssh.rules").toString(), 2, 1,
                List.of(new SourceRef(main, 4, 1))));
        assertThat(rules.location(Table.FILTER, 2)).isEqualTo(dir.resolve("parts/ssh.rules") + ":2");
        assertThat(rules.chain(Table.FILTER, "SSH")).isEqualTo(new SourceRef(main, 2, 1));
        assertThat(rules.chain(Table.FILTER, "INPUT")).isEqualTo(new SourceRef(main, 3, 1));
    }

    @Test
    void aMacroParameterHidesAVariableOfTheSameName() throws IOException {
        RulesetSource source = load("""
                define port = 1
                macro open(port)
                  -A INPUT -p tcp --dport $port -j ACCEPT
                end
                *filter
                use open(22)
                -A INPUT -p tcp --dport $port -j ACCEPT
                COMMIT
                """, Family.IPV4, Optional.empty());
        assertThat(source.diagnostics()).isEmpty();
        assertThat(source.families().get(Family.IPV4).restoreText())
                .contains("--dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 1 -j ACCEPT\n");
    }

    @Test
    void tablesThatNameNoFamilyTakeTheDefaultOne() throws IOException {
        RulesetSource source = load("*filter\n-A INPUT -s 2001:db8::1 -j ACCEPT\nCOMMIT\n", Family.IPV6,
                Optional.empty());
        assertThat(source.diagnostics()).isEmpty();
        assertThat(source.families()).containsOnlyKeys(Family.IPV6);
    }

    @Test
    void aMissingMainFileIsAnError() {
        RulesetSource source = RulesetSource.load(dir.resolve("none.rules"), Family.IPV4,
                StandardExtensions.registry(), Optional.empty(), NameDatabase.system());
        assertThat(source.hasErrors()).isTrue();
        assertThat(source.diagnostics().get(0).message()).isEqualTo("no such file");
    }

    @Test
    void everyExampleChecksClean() {
        for (Path example : Examples.files()) {
            RulesetSource source = RulesetSource.load(example, Family.IPV4, StandardExtensions.registry(),
                    Optional.empty(), NameDatabase.system());
            assertThat(source.diagnostics()).as(example.toString()).isEmpty();
        }
        assertThat(Examples.files()).hasSize(3);
    }
}
