package io.rampart.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Ruleset;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.property.SeededProperty;
import io.rampart.property.Shrinker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** fmt on files made of the language's pieces in any layout: a fixed point, and the same meaning. */
class FormatterProperties {

    private static final List<String> STATEMENTS = List.of("define A = { 10.0.0.1 ,10.0.0.2 }", "define  B =  tcp",
            "if $B == tcp", "if defined A", "else", "end", "macro m( x ,y )", "use m(1,{ 2 , 3 })",
            "*filter", "*filter   both", ":INPUT DROP [0:0]", ":X - [0:0]", "COMMIT",
            "-A INPUT   -s $A -p $B --dport {22 , 80} -j ACCEPT", "-A INPUT -m comment --comment \"a  # b\" -j X",
            "-A X -p tcp --dport $y  -j ACCEPT", "# a comment", "   #   indented comment", "", "  ",
            "-A INPUT -j LOG --log-prefix \"unterminated", "-4 -A INPUT -p icmp -j ACCEPT");
    private static final List<String> TRAILERS = List.of("", "   ", "  # trailing", "\t# tab", "#glued");
    private static final List<String> INDENTS = List.of("", " ", "\t", "    ");

    /** Up to 25 lines, each a statement with an indent and a trailer; a failure shrinks to fewer lines. */
    private static SeededProperty<List<String>> sources(String name, int tries) {
        return SeededProperty.of(name, tries, FormatterProperties::lines).shrinking(Shrinker.list(Shrinker.none()));
    }

    private static List<String> lines(Random random) {
        List<String> lines = new ArrayList<>();
        for (int n = random.nextInt(26); n > 0; n--) {
            lines.add(pick(random, INDENTS) + pick(random, STATEMENTS) + pick(random, TRAILERS));
        }
        return lines;
    }

    private static String pick(Random random, List<String> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    private static String text(List<String> lines) {
        return String.join("\n", lines) + "\n";
    }

    @Test
    void formattingTwiceChangesNothing() {
        sources("formatting twice changes nothing", 200).check(lines -> {
            String once = Formatter.format(text(lines));
            assertThat(Formatter.format(once)).isEqualTo(once);
        });
    }

    @Test
    void formattingKeepsTheMeaning() throws IOException {
        Path dir = Files.createTempDirectory("rampart-fmt");
        try {
            sources("formatting keeps the meaning", 100).check(lines ->
                    assertThat(meaning(dir.resolve("f.rules"), Formatter.format(text(lines))))
                            .isEqualTo(meaning(dir.resolve("f.rules"), text(lines))));
        } finally {
            Files.deleteIfExists(dir.resolve("f.rules"));
            Files.delete(dir);
        }
    }

    /**
     * The rulesets and the findings' messages; where the findings are, and the lines they name (a
     * duplicate's first), move with fmt's blank lines.
     */
    private static String meaning(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RulesetSource source = RulesetSource.load(file, Family.IPV4, StandardExtensions.registry(), Optional.empty(),
                NameDatabase.system());
        Map<Family, Ruleset> rulesets = new EnumMap<>(Family.class);
        source.families().forEach((family, rules) -> rulesets.put(family, rules.ruleset()));
        return rulesets + "\n" + source.diagnostics().stream()
                .map(d -> d.message().replaceAll("\\S+:\\d+:\\d+", "PLACE").replaceAll("\\bline \\d+", "line N"))
                .toList();
    }
}
