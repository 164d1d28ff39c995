package io.rampart.fleet;

import io.rampart.model.Failure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A ruleset as the fleet stores it: the main file and every file it includes, each by its path
 * relative to the main file's directory, with its text exactly as read. Its {@link #id} is a hash
 * of that content alone, so the same files give the same id whoever publishes them and when.
 *
 * @param main  the main file's path within the bundle
 * @param files every file's text by its path within the bundle, the main file among them
 */
public record Bundle(String main, SortedMap<String, String> files) {

    /** Hex digits of the SHA-256 of the canonical content that make the id. */
    private static final int ID_LENGTH = 20;

    public Bundle {
        files = new TreeMap<>(files);
        if (!files.containsKey(main)) {
            throw new IllegalArgumentException("the bundle lacks its main file " + main);
        }
    }

    /**
     * The bundle of {@code mainFile} and the files it read, {@code readNames} being their names as
     * the ruleset language gives them (relative to where {@code mainFile} is named from). A file
     * outside the main file's directory is refused: a bundle stands on its own.
     */
    public static Bundle collect(Path mainFile, Collection<String> readNames) {
        Path mainDir = mainFile.toAbsolutePath().normalize().getParent();
        SortedMap<String, String> files = new TreeMap<>();
        for (String name : readNames) {
            Path absolute = Path.of(name).toAbsolutePath().normalize();
            Path relative = mainDir.relativize(absolute);
            if (relative.startsWith("..")) {
                throw new Failure(Failure.Category.INPUT, mainFile + ": includes " + name
                        + ", which is outside " + mainDir + ": a published ruleset may include only files under"
                        + " its main file's directory");
            }
            try {
                files.put(relative.toString(), Files.readString(absolute));
            } catch (IOException e) {
                throw new Failure(Failure.Category.INPUT, name + ": cannot read: " + e.getMessage());
            }
        }
        return new Bundle(mainDir.relativize(mainFile.toAbsolutePath().normalize()).toString(), files);
    }

    /** The content-addressed id: the start of the SHA-256 of the canonical content, in hex. */
    public String id() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(canonical().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest()).substring(0, ID_LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    /** One unambiguous text for the content: the main file's path, then each file with its length. */
    private String canonical() {
        StringBuilder text = new StringBuilder("rampart-bundle 1\nmain ").append(main).append('\n');
        for (Map.Entry<String, String> file : files.entrySet()) {
            text.append("file ").append(file.getKey()).append(' ')
                    .append(file.getValue().getBytes(StandardCharsets.UTF_8).length).append('\n')
                    .append(file.getValue()).append('\n');
        }
        return text.toString();
    }

    /** Writes every file under {@code dir}, which then holds the ruleset as published. */
    public void writeTo(Path dir) throws IOException {
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path target = dir.resolve(file.getKey()).normalize();
            if (!target.startsWith(dir)) {
                throw new IOException("bundle path " + file.getKey() + " leaves its directory");
            }
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue());
        }
    }
}
