package io.rampart.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A systemd unit file of the package, read as systemd reads its {@code Key=value} lines, per section. */
record UnitFile(Path path, Map<String, List<String>> entries) {

    /** The repository's packaging directory; tests run in the module's directory. */
    static final Path PACKAGING = Path.of("..", "packaging").toAbsolutePath().normalize();

    static UnitFile of(String name) throws IOException {
        Path path = PACKAGING.resolve("systemd").resolve(name);
        Map<String, List<String>> entries = new LinkedHashMap<>();
        String section = "";
        for (String line : Files.readAllLines(path)) {
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#") || text.startsWith(";")) {
                continue;
            }
            if (text.startsWith("[")) {
                section = text.substring(1, text.indexOf(']'));
                continue;
            }
            int eq = text.indexOf('=');
            entries.computeIfAbsent(section + "." + text.substring(0, eq).strip(), k -> new ArrayList<>())
                    .add(text.substring(eq + 1).strip());
        }
        return new UnitFile(path, entries);
    }

    /** The one value of {@code key} in {@code section}; a key missing or given twice fails. */
    String value(String section, String key) {
        List<String> values = entries.getOrDefault(section + "." + key, List.of());
        if (values.size() != 1) {
            throw new AssertionError(path + ": [" + section + "] " + key + " is set " + values.size() + " times");
        }
        return values.get(0);
    }
}
