package io.rampart.syntax;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The published rulesets in {@code rampart-syntax/src/test/resources/real-rulesets} (their sources
 * and licences in its README), each an {@code .original} file with the kernel's {@code .canonical} dump of it.
 */
public final class Corpus {

    private Corpus() {
    }

    /** One ruleset of the corpus. */
    public record Entry(String name, Path original, Path canonical) {
        public String originalText() {
            return read(original);
        }

        public String canonicalText() {
            return read(canonical);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final Path RELATIVE = Path.of("rampart-syntax", "src", "test", "resources", "real-rulesets");

    /** The corpus directory of the repository, found from any module's working directory. */
    public static Optional<Path> directory() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(RELATIVE);
            if (Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    public static List<Entry> entries() {
        Path dir = directory().orElseThrow(() -> new IllegalStateException(
                RELATIVE + " not found from " + Path.of("").toAbsolutePath()));
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".original"))
                    .sorted()
                    .map(p -> {
                        String name = p.getFileName().toString().replace(".original", "");
                        return new Entry(name, p, dir.resolve(name + ".canonical"));
                    })
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
