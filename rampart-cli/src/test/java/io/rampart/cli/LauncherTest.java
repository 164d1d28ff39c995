package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The launcher, packaging/rampart.sh, on the shaded jar (so it runs after package, see the pom), on
 * each installed runtime from 17 up: it makes its class cache once, makes it again when the jar is
 * another, and runs without a word about the cache when the cache is refused or cannot be written.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LauncherTest {

    private static final Path LAUNCHER = UnitFile.PACKAGING.resolve("rampart.sh");
    private static final Path JAR = Path.of("target", "rampart.jar").toAbsolutePath();
    private static final Path RULES = UnitFile.PACKAGING.resolve("etc/fallback.rules");

    @TempDir
    Path dir;

    static List<Path> runtimes() throws IOException {
        List<Path> javas = new ArrayList<>();
        try (Stream<Path> homes = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path home : homes.filter(h -> !Files.isSymbolicLink(h)).sorted().toList()) {
                Path release = home.resolve("release");
                if (Files.isExecutable(home.resolve("bin/java")) && Files.exists(release)
                        && Files.readString(release).matches("(?s).*JAVA_VERSION=\"(1[7-9]|[2-9][0-9]).*")) {
                    javas.add(home.resolve("bin/java"));
                }
            }
        }
        return javas;
    }

    @ParameterizedTest
    @MethodSource("runtimes")
    void theCacheIsMadeOnceMadeAgainForAnotherJarAndNeverSpeaksOfItself(Path java) throws Exception {
        assertThat(JAR).as("the shaded jar, which package builds before this test runs").exists();
        Path cache = dir.resolve("cache");
        List<String> first = check(java, cache);
        assertThat(first).containsExactly("0", "");
        Path archive = archive(cache);
        try (Stream<Path> files = Files.list(cache)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .as("the training run's files are gone, the archive and its stamps are left")
                    .containsExactlyInAnyOrder(archive.getFileName().toString(), archive.getFileName() + ".jar",
                            archive.getFileName() + ".java");
        }
        FileTime made = Files.getLastModifiedTime(archive);

        assertThat(check(java, cache)).containsExactly("0", "");
        assertThat(Files.getLastModifiedTime(archive)).as("a current cache is kept").isEqualTo(made);

        // Another jar at the same path: the stamp's time is no longer the jar's.
        Path stamp = Path.of(archive + ".jar");
        Files.setLastModifiedTime(stamp, FileTime.fromMillis(Files.getLastModifiedTime(stamp).toMillis() - 60_000));
        FileTime earlier = FileTime.fromMillis(made.toMillis() - 60_000);
        Files.setLastModifiedTime(archive, earlier);
        assertThat(check(java, cache)).containsExactly("0", "");
        assertThat(Files.getLastModifiedTime(archive)).as("made again").isGreaterThan(earlier);

        // A cache the JVM refuses, with stamps that say it is current.
        Files.write(archive, new byte[4096]);
        Files.setLastModifiedTime(stamp, Files.getLastModifiedTime(JAR));
        assertThat(check(java, cache)).containsExactly("0", "");

        // A cache directory that cannot be made.
        Path file = Files.writeString(dir.resolve("file"), "");
        assertThat(check(java, file.resolve("cache"))).containsExactly("0", "");
    }

    /** The one archive in {@code cache}. */
    private static Path archive(Path cache) throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            List<Path> archives = files.filter(f -> f.toString().endsWith(".aot") || f.toString().endsWith(".jsa"))
                    .toList();
            assertThat(archives).hasSize(1);
            return archives.get(0);
        }
    }

    /** The exit code and stderr of {@code rampart check} of the fallback rules through the launcher. */
    private static List<String> check(Path java, Path cache) throws Exception {
        ProcessBuilder builder = Run.cleanEnvironment(new ProcessBuilder(LAUNCHER.toString(), "check", RULES.toString()));
        builder.environment().putAll(Map.of("RAMPART_JAR", JAR.toString(), "RAMPART_JAVA", java.toString(),
                "RAMPART_CACHE", cache.toString()));
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return List.of(String.valueOf(process.waitFor()), err);
    }
}
