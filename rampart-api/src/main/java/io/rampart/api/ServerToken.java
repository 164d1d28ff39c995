package io.rampart.api;

import io.rampart.model.Failure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/** The bearer token that requests which change the kernel must carry. */
public final class ServerToken {

    private final String value;

    private ServerToken(String value) {
        this.value = value;
    }

    /** 32 random bytes in hex, written to {@code file} that only its owner (root) may read. */
    public static ServerToken generateInto(Path file) {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Files.deleteIfExists(file); // a new file gets the mode below; an old one might be readable by others
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, token + "\n");
        } catch (IOException e) {
            throw new Failure(Failure.Category.SYSTEM, file + ": cannot write the token: " + e.getMessage());
        }
        return new ServerToken(token);
    }

    /** A token someone gave: the first line of {@code file}, which must not be readable by group or others. */
    public static ServerToken readFrom(Path file) {
        try {
            Set<java.nio.file.attribute.PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                throw new Failure(Failure.Category.INPUT, file
                        + ": the token file must be readable by its owner only (chmod 600 " + file + ")");
            }
            String token = Files.readString(file).lines().findFirst().orElse("").strip();
            if (token.length() < 16) {
                throw new Failure(Failure.Category.INPUT, file + ": a token has at least 16 characters");
            }
            return new ServerToken(token);
        } catch (IOException e) {
            throw new Failure(Failure.Category.INPUT, file + ": cannot read the token: " + e.getMessage());
        }
    }

    public static ServerToken of(String value) {
        return new ServerToken(value);
    }

    public String value() {
        return value;
    }

    /** Whether an {@code Authorization} header carries this token; compared in constant time. */
    boolean authorizes(String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(header.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }
}
