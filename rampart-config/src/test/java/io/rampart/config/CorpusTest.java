package io.rampart.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.Corpus;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Plain iptables-save files mean through the language exactly what they mean to the save-format parser. */
class CorpusTest {

    static List<Corpus.Entry> corpus() {
        return Corpus.entries();
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void aSaveFileReadsAsTheParserReadsIt(Corpus.Entry entry) throws RulesetSyntaxException {
        RulesetSource source = RulesetSource.load(entry.original(), Family.IPV4, StandardExtensions.registry(),
                Optional.empty(), NameDatabase.system());
        assertThat(source.diagnostics().stream().filter(Diagnostic::isError)).isEmpty();
        assertThat(source.families()).containsOnlyKeys(Family.IPV4);
        assertThat(source.families().get(Family.IPV4).ruleset())
                .isEqualTo(new RulesetParser(StandardExtensions.registry(), Family.IPV4,
                        NameDatabase.system()).parse(entry.originalText()));
    }
}
