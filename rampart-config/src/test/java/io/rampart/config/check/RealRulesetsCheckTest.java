package io.rampart.config.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.config.Diagnostic;
import io.rampart.model.Family;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.Corpus;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The published rulesets the kernel loaded (the corpus of rampart-syntax's tests) have nothing the checker calls an error. */
class RealRulesetsCheckTest {

    static List<Corpus.Entry> corpus() {
        return Corpus.entries();
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void aRulesetTheKernelLoadedHasNoErrors(Corpus.Entry entry) throws Exception {
        TextSources sources = new TextSources(entry.name(), entry.originalText(), Family.IPV4);
        List<Diagnostic> findings = new RulesetChecker(StandardExtensions.registry()).check(sources.ruleset(), sources);
        assertThat(RulesetCheckerGoldenTest.render(findings)).doesNotContain(": error: ");
    }
}
