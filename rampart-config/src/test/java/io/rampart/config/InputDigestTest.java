package io.rampart.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputDigestTest {

    private static final String RULES = "*filter\n:INPUT DROP\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n";

    private static RulesetSource read(Path file) {
        return RulesetSource.load(file, Family.IPV4, StandardExtensions.registry(), Optional.empty(),
                NameDatabase.builtin(), true);
    }

    private static void mkfifo(Path path) throws IOException, InterruptedException {
        assertThat(new ProcessBuilder("mkfifo", path.toString()).start().waitFor()).isZero();
    }

    @Test
    void aFileIsItsContentsAndAnAbsentPathIsAbsent(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a.rules");
        Files.writeString(file, "abc");
        String before = InputDigest.of(file);
        assertThat(before).startsWith("file:").isEqualTo(InputDigest.ofText("abc"));
        Files.writeString(file, "abd");
        assertThat(InputDigest.of(file)).isNotEqualTo(before);
        assertThat(InputDigest.of(dir.resolve("missing"))).isEqualTo(InputDigest.ABSENT);
    }

    @Test
    void aListingChangesWithANewNameAndWithWhatAnEntryResolvesTo(@TempDir Path dir) throws Exception {
        Path conf = Files.createDirectory(dir.resolve("conf.d"));
        Files.createSymbolicLink(conf.resolve("20-web.rules"), dir.resolve("outside.rules"));
        mkfifo(conf.resolve("30-x.rules"));
        String listed = InputDigest.of(conf);
        assertThat(listed).startsWith("dir:");
        // The dangling link's target appears: the glob now matches it.
        Files.writeString(dir.resolve("outside.rules"), "");
        String linked = InputDigest.of(conf);
        assertThat(linked).isNotEqualTo(listed);
        // The pipe becomes a regular file of the same name.
        Files.delete(conf.resolve("30-x.rules"));
        Files.writeString(conf.resolve("30-x.rules"), "");
        String replaced = InputDigest.of(conf);
        assertThat(replaced).isNotEqualTo(linked);
        Files.writeString(conf.resolve("40-new.rules"), "");
        assertThat(InputDigest.of(conf)).isNotEqualTo(replaced);
    }

    @Test
    void aPipeIsNeverOpenedAndNeverEqualsWhatWasReadFromIt(@TempDir Path dir) throws Exception {
        Path pipe = dir.resolve("stdin");
        mkfifo(pipe);
        assertThat(InputDigest.of(pipe)).isEqualTo(InputDigest.OTHER); // returns: nothing opened the pipe
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                Files.writeString(pipe, RULES);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        RulesetSource source = read(pipe);
        writer.join();
        assertThat(source.hasErrors()).isFalse();
        assertThat(source.inputDigests()).containsEntry(pipe.toAbsolutePath(), InputDigest.ofText(RULES));
        assertThat(InputDigest.of(pipe)).isNotEqualTo(source.inputDigests().get(pipe.toAbsolutePath()));
    }

    @Test
    void theReadingKeepsWhatItReadSoAChangeAfterItIsSeen(@TempDir Path dir) throws IOException {
        Path main = dir.resolve("main.rules");
        Path conf = Files.createDirectory(dir.resolve("conf.d"));
        Files.writeString(main, "*filter\n:INPUT DROP\ninclude \"common.rules\"\ninclude \"conf.d/*.rules\"\nCOMMIT\n");
        Files.writeString(dir.resolve("common.rules"), "-A INPUT -i lo -j ACCEPT\n");
        Files.writeString(conf.resolve("10-ssh.rules"), "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n");
        RulesetSource source = read(main);
        assertThat(source.hasErrors()).as(source.diagnostics().toString()).isFalse();
        assertThat(source.inputDigests().keySet()).containsExactlyInAnyOrderElementsOf(source.inputs());
        source.inputDigests().forEach((input, digest) -> assertThat(InputDigest.of(input)).as(input.toString())
                .isEqualTo(digest));
        // Changed after the reading and before anyone records it: the digests still say what was read.
        Files.writeString(dir.resolve("common.rules"), "-A INPUT -i lo -j DROP\n");
        Files.writeString(conf.resolve("20-web.rules"), "-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\n");
        assertThat(InputDigest.of(dir.resolve("common.rules")))
                .isNotEqualTo(source.inputDigests().get(dir.resolve("common.rules")));
        assertThat(InputDigest.of(conf)).isNotEqualTo(source.inputDigests().get(conf));
    }

    @Test
    void aPathThatClimbsAfterALinkNamesTheFileRead(@TempDir Path dir) throws IOException {
        Path deep = Files.createDirectories(dir.resolve("deep/dir"));
        Files.createSymbolicLink(dir.resolve("link"), deep);
        Files.writeString(dir.resolve("deep/main.rules"), RULES);
        Files.writeString(dir.resolve("main.rules"), RULES.replace("DROP", "ACCEPT"));
        Path given = dir.resolve("link/../main.rules");
        RulesetSource source = read(given);
        assertThat(source.inputs()).containsExactly(given.toAbsolutePath());
        assertThat(source.inputDigests()).containsEntry(given.toAbsolutePath(), InputDigest.ofText(RULES));
        assertThat(InputDigest.of(given.toAbsolutePath())).isEqualTo(InputDigest.ofText(RULES));
    }

    @Test
    void aPlainLoadKeepsNoDigests(@TempDir Path dir) throws IOException {
        Path main = Files.writeString(dir.resolve("main.rules"), RULES);
        RulesetSource source = RulesetSource.load(main, Family.IPV4, StandardExtensions.registry(), Optional.empty(),
                NameDatabase.builtin());
        assertThat(source.inputs()).containsExactly(main.toAbsolutePath());
        assertThat(source.inputDigests()).isEmpty();
    }
}
