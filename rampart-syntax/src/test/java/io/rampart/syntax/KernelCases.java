package io.rampart.syntax;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The kernel's answers kept as data: every {@code .cases} file under
 * {@code rampart-syntax/src/test/resources/kernel-cases}. The root-free test checks Rampart against
 * them; the kernel test of rampart-system checks them against the kernel and records them anew.
 */
public final class KernelCases {

    /** The directory inside the repository, as found from any module's working directory. */
    private static final Path RELATIVE = Path.of("rampart-syntax", "src", "test", "resources", "kernel-cases");

    /**
     * Every case recorded so far: fewer means cases were lost. Raise it when cases are added.
     */
    public static final int MINIMUM = 5185;

    private KernelCases() {
    }

    /** The source directory (not a copy on the class path), so a recording rewrites the files themselves. */
    public static Path directory() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve(RELATIVE))) {
                return dir.resolve(RELATIVE);
            }
        }
        throw new IllegalStateException(RELATIVE + " not found from " + Path.of("").toAbsolutePath());
    }

    /** Every file, by name. */
    public static List<KernelCaseFile> files() {
        try (Stream<Path> paths = Files.list(directory())) {
            return paths.filter(p -> p.getFileName().toString().endsWith(".cases"))
                    .sorted()
                    .map(KernelCaseFile::read)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
