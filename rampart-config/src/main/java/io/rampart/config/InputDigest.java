package io.rampart.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * What an input of a reading is, as one string: a file's contents, a directory's listing, or that
 * nothing readable is there. The same spelling serves what a reading saw and what is there now, so
 * that the two compare equal exactly when the input is as it was read.
 */
public final class InputDigest {

    /** A path that is neither a regular file nor a directory (a pipe, a device, a dangling link). */
    public static final String OTHER = "other";
    public static final String ABSENT = "absent";
    /** An input a reading did not read whole, or read twice and found changed: nothing there now equals it. */
    public static final String CHANGED = "changed while read";

    private InputDigest() {
    }

    /**
     * The input at {@code path} now. A path that is no regular file is never opened (reading a pipe
     * would take what the next reader needs), so it is {@value #OTHER}, which no file read equals.
     */
    public static String of(Path path) {
        try {
            if (Files.isDirectory(path)) {
                return listing(path);
            }
            if (Files.isRegularFile(path)) {
                return contents(Files.readAllBytes(path));
            }
            return Files.exists(path, LinkOption.NOFOLLOW_LINKS) ? OTHER : ABSENT;
        } catch (IOException | UncheckedIOException e) {
            return "unreadable:" + e.getMessage();
        }
    }

    /** A file whose text, as read, was {@code text} (read as strict UTF-8, so its bytes are these). */
    static String ofText(String text) {
        return contents(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String contents(byte[] bytes) {
        return "file:" + sha256(bytes);
    }

    /**
     * The names in a directory, each with what an include's glob sees there: a regular file (links
     * followed), a directory, or anything else, so that a dangling link whose target appears, or a pipe
     * replaced by a file, changes the listing.
     */
    private static String listing(Path dir) throws IOException {
        try (Stream<Path> listed = Files.list(dir)) {
            // No name holds '/' or NUL, so each entry reads back one way.
            return "dir:" + sha256(String.join("\0", listed.map(p -> p.getFileName().toString() + "/"
                    + (Files.isRegularFile(p) ? "file" : Files.isDirectory(p) ? "dir" : OTHER)).sorted().toList())
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
