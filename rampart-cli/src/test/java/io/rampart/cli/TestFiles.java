package io.rampart.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files the command-line tests hand to a command, written below their temporary directory. */
final class TestFiles {

    private TestFiles() {
    }

    /** Writes {@code text} to {@code name} in {@code dir} and returns its path as the command line takes it. */
    static String write(Path dir, String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file.toString();
    }
}
