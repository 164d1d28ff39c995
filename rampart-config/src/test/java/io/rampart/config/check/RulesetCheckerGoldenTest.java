package io.rampart.config.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.config.Diagnostic;
import io.rampart.model.Family;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RuleSyntaxException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One ruleset per finding in {@code src/test/resources/check}: {@code NAME.rules} (IPv6 when named
 * {@code NAME.v6.rules}) and {@code NAME.expected}, the findings printed one per line as
 * {@code file:line:col: severity: message}, a hint on the line after as {@code   hint: text}.
 */
class RulesetCheckerGoldenTest {

    static Stream<String> cases() throws IOException, URISyntaxException {
        try (Stream<Path> files = Files.list(directory())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".rules")).sorted().toList()
                    .stream();
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void findingsAreExactlyTheExpectedOnes(String name) throws Exception {
        Path rules = directory().resolve(name);
        String expected = Files.readString(directory().resolve(name.replaceFirst("(\\.v6)?\\.rules$", ".expected")));
        assertThat(render(check(name, Files.readString(rules)))).isEqualTo(expected);
    }

    static List<Diagnostic> check(String file, String text) throws RuleSyntaxException {
        TextSources sources = new TextSources(file, text, file.endsWith(".v6.rules") ? Family.IPV6 : Family.IPV4);
        return new RulesetChecker(StandardExtensions.registry()).check(sources.ruleset(), sources);
    }

    static String render(List<Diagnostic> findings) {
        StringBuilder out = new StringBuilder();
        for (Diagnostic d : findings) {
            out.append(d.where()).append(": ").append(d.severity().name().toLowerCase(Locale.ROOT)).append(": ")
                    .append(d.message()).append('\n');
            d.hint().ifPresent(h -> out.append("  hint: ").append(h).append('\n'));
        }
        return out.toString();
    }

    private static Path directory() throws URISyntaxException {
        return Path.of(RulesetCheckerGoldenTest.class.getResource("/check").toURI());
    }
}
