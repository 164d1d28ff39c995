package io.rampart.config;

import java.util.List;

/** A file the language read, by the name messages use for it, with its lines. */
public record SourceFile(String name, List<String> lines) {

    public SourceFile {
        lines = List.copyOf(lines);
    }

    /** Line {@code number} (from 1), or an empty string past the end. */
    public String line(int number) {
        return number >= 1 && number <= lines.size() ? lines.get(number - 1) : "";
    }
}
