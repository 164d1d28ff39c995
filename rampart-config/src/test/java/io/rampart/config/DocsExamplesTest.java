package io.rampart.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples of docs/language.md check clean (those with includes need files the page does not show). */
class DocsExamplesTest {

    @TempDir
    Path dir;

    private static List<String> examples() throws IOException {
        List<String> blocks = new ArrayList<>();
        StringBuilder block = null;
        for (String line : Files.readAllLines(Path.of("../docs/language.md"))) {
            if (line.startsWith("```")) {
                if (block != null && block.indexOf("COMMIT") >= 0 && block.indexOf("include") < 0) {
                    blocks.add(block.toString());
                }
                block = block == null ? new StringBuilder() : null;
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        return blocks;
    }

    @Test
    void everyExampleChecksClean() throws IOException {
        List<String> examples = examples();
        assertThat(examples).hasSizeGreaterThanOrEqualTo(7);
        for (String example : examples) {
            Path file = dir.resolve("example.rules");
            Files.writeString(file, example);
            RulesetSource source = RulesetSource.load(file, Family.IPV4, StandardExtensions.registry(),
                    Optional.empty(), NameDatabase.system());
            assertThat(source.diagnostics()).as(example).isEmpty();
        }
    }
}
