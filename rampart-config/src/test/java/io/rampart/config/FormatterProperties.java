package io.rampart.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Ruleset;
import io.rampart.model.extensions.StandardExtensions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** fmt on files made of the language's pieces in any layout: a fixed point, and the same meaning. */
class FormatterProperties {

    private static final List<String> STATEMENTS = List.of("define A = { 10.0.0.1 ,10.0.0.2 }", "define  B =  tcp",
            "if $B == tcp", "if defined A", "else", "end", "macro m( x ,y )", "use m(1,{ 2 , 3 })",
            "*filter", "*filter   both", ":INPUT DROP [0:0]", ":X - [0:0]", "COMMIT",
            "-A INPUT   -s $A -p $B --dport {22 , 80} -j ACCEPT", "-A INPUT -m comment --comment \"a  # b\" -j X",
            "-A X -p tcp --dport $y  -j ACCEPT", "# a comment", "   #   indented comment", "", "  ",
            "-A INPUT -j LOG --log-prefix \"unterminated", "-4 -A INPUT -p icmp -j ACCEPT");
    private static final List<String> TRAILERS = List.of("", "   ", "  # trailing", "\t# tab", "#glued");

    @Provide
    Arbitrary<String> sources() {
        Arbitrary<String> line = Arbitraries.of(STATEMENTS).flatMap(statement -> Arbitraries.of(TRAILERS)
                .flatMap(trailer -> Arbitraries.of("", " ", "\t", "    ").map(indent -> indent + statement + trailer)));
        return line.list().ofMaxSize(25).map(lines -> String.join("\n", lines) + "\n");
    }

    @Property(tries = 200)
    void formattingTwiceChangesNothing(@ForAll("sources") String source) {
        String once = Formatter.format(source);
        assertThat(Formatter.format(once)).isEqualTo(once);
    }

    @Property(tries = 100)
    void formattingKeepsTheMeaning(@ForAll("sources") String source) throws IOException {
        Path dir = Files.createTempDirectory("rampart-fmt");
        try {
            assertThat(meaning(dir.resolve("f.rules"), Formatter.format(source)))
                    .isEqualTo(meaning(dir.resolve("f.rules"), source));
        } finally {
            Files.deleteIfExists(dir.resolve("f.rules"));
            Files.delete(dir);
        }
    }

    /** The rulesets and the findings' messages; where the findings are moves with fmt's blank lines. */
    private static String meaning(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RulesetSource source = RulesetSource.load(file, Family.IPV4, StandardExtensions.registry(), Optional.empty());
        Map<Family, Ruleset> rulesets = new EnumMap<>(Family.class);
        source.families().forEach((family, rules) -> rulesets.put(family, rules.ruleset()));
        return rulesets + "\n" + source.diagnostics().stream()
                .map(d -> d.message().replaceAll("\\S+:\\d+:\\d+", "PLACE")).toList();
    }
}
