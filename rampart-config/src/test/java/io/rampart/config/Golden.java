package io.rampart.config;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The golden cases under {@code src/test/resources/golden}: each a directory with a {@code main.rules}
 * (and the files it includes) and an {@code expected.txt} holding every finding as printed, then the
 * iptables-restore text of each family. {@code -Dgolden.update=true} writes the expected files anew,
 * to be read and judged before they are committed.
 */
final class Golden {

    static final Path ROOT = Path.of("src/test/resources/golden");

    private Golden() {
    }

    static List<Path> cases() {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the language makes of {@code main}: findings as printed, then each family's restore text. */
    static String describe(Path main, Family defaultFamily, Optional<ValueResolver> resolver) {
        RulesetSource source = RulesetSource.load(main, defaultFamily, StandardExtensions.registry(), resolver,
                NameDatabase.system());
        DiagnosticPrinter printer = new DiagnosticPrinter(source.files());
        StringBuilder out = new StringBuilder();
        source.diagnostics().forEach(d -> out.append(printer.print(d)));
        for (FamilyRuleset ruleset : source.families().values()) {
            out.append("=== ").append(ruleset.family().command()).append('\n').append(ruleset.restoreText());
        }
        return out.toString().replace(main.getParent() + "/", "");
    }
}
