package io.rampart.syntax;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Ruleset;
import io.rampart.model.TableRules;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every real ruleset of the corpus, read and printed, equals the kernel's own dump of it. */
class RealRulesetsTest {

    private final RulesetParser parser = new RulesetParser(StandardExtensions.registry(), Family.IPV4,
            NameDatabase.system());
    private final RulesetPrinter printer = new RulesetPrinter(StandardExtensions.registry(), Family.IPV4);

    static List<Corpus.Entry> corpus() {
        return Corpus.entries();
    }

    @Test
    void theCorpusHoldsEveryPublishedRuleset() {
        assertThat(Corpus.entries()).extracting(Corpus.Entry::name).containsExactly(
                "ferm-dmz-router", "ferm-dsl-router", "ferm-webserver", "ferm-workstation", "majek-vpn-del",
                "majek-vpn-up", "openlab-stettenstr", "serverfault-758088", "serverfault-759927",
                "serverfault-762193", "serverfault-765855", "serverfault-766198", "serverfault-769294",
                "serverfault-795234", "tails-1.4.1", "tails-1.5", "tails-ferm-hardening");
        assertThat(Corpus.entries()).allSatisfy(entry -> assertThat(entry.canonical()).exists());
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void originalPrintsAsTheKernelDumpedIt(Corpus.Entry entry) throws RulesetSyntaxException {
        Ruleset ruleset = parser.parse(entry.originalText());
        assertThat(printer.print(ruleset)).isEqualTo(entry.canonicalText());
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void canonicalFormIsAFixedPoint(Corpus.Entry entry) throws RulesetSyntaxException {
        assertThat(printer.print(parser.parse(entry.canonicalText()))).isEqualTo(entry.canonicalText());
    }

    /** The original's rules and the kernel's spelling of them are equal values, chain by chain. */
    @ParameterizedTest
    @MethodSource("corpus")
    void originalAndCanonicalSpellingsAreEqualRules(Corpus.Entry entry) throws RulesetSyntaxException {
        Ruleset original = parser.parse(entry.originalText());
        Ruleset canonical = parser.parse(entry.canonicalText());
        for (TableRules table : canonical.tables()) {
            TableRules same = original.table(table.table()).orElseThrow();
            for (Chain chain : table.chains()) {
                assertThat(same.rulesOf(chain.name())).as(table.table().label() + " " + chain.name())
                        .isEqualTo(table.rulesOf(chain.name()));
            }
        }
    }
}
