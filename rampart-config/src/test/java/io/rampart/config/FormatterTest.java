package io.rampart.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.Corpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** fmt: a fixed layout, a fixed point, and never a change of meaning. */
class FormatterTest {

    @TempDir
    Path dir;

    @Test
    void layoutIsCanonical() throws IOException {
        Path fmt = Path.of("src/test/resources/fmt");
        assertThat(Formatter.format(Files.readString(fmt.resolve("input.rules"))))
                .isEqualTo(Files.readString(fmt.resolve("output.rules")));
    }

    @Test
    void theExamplesAreInCanonicalLayout() throws IOException {
        for (Path example : Examples.files()) {
            String text = Files.readString(example);
            assertThat(Formatter.format(text)).as(example.toString()).isEqualTo(text);
        }
    }

    /** Every main file of the golden cases, the examples, and the real corpus. */
    static List<Path> sources() {
        List<Path> sources = new ArrayList<>();
        Golden.cases().forEach(c -> sources.add(c.resolve("main.rules")));
        sources.addAll(Examples.files());
        Corpus.entries().forEach(e -> sources.add(e.original()));
        sources.add(Path.of("src/test/resources/fmt/input.rules"));
        return sources;
    }

    @ParameterizedTest
    @MethodSource("sources")
    void formattingTwiceChangesNothing(Path source) throws IOException {
        String once = Formatter.format(Files.readString(source));
        assertThat(Formatter.format(once)).isEqualTo(once);
    }

    /**
     * The formatted file, beside the original in a copy of its directory (so its includes resolve
     * and the source tree is left alone), reads the same.
     */
    @ParameterizedTest
    @MethodSource("sources")
    void formattingKeepsTheMeaning(Path source) throws IOException {
        Path copy = copyTree(source.getParent(), dir.resolve("copy")).resolve(source.getFileName());
        Path formatted = copy.resolveSibling("formatted-" + source.getFileName());
        Files.writeString(formatted, Formatter.format(Files.readString(source)));
        assertThat(meaning(formatted)).isEqualTo(meaning(copy));
    }

    private static Path copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
        return to;
    }

    /**
     * Each family's parsed ruleset and the findings' messages, places in them left out: blank lines
     * fmt removes move the lines, and the formatted copy has its own name.
     */
    private static Map<String, Object> meaning(Path file) {
        RulesetSource source = RulesetSource.load(file, Family.IPV4, StandardExtensions.registry(), Optional.empty(),
                NameDatabase.system());
        Map<String, Object> meaning = new TreeMap<>();
        source.families().forEach((family, rules) -> meaning.put(family.command(), rules.ruleset()));
        meaning.put("findings", source.diagnostics().stream()
                .map(d -> d.message().replaceAll("\\S+:\\d+:\\d+", "PLACE").replace("formatted-", "")).toList());
        return meaning;
    }
}
