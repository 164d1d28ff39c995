package io.rampart.lb;

import io.rampart.model.Chain;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The nat chain of a profile. A name of lower-case letters, digits and {@code _} that fits becomes
 * {@code IPTLB_NAT_NAME}, the chain IPTLB made for it. Any other name gets a readable prefix and a
 * hash of the whole name after a {@code -}, which the plain form never contains: so different
 * profiles never share a chain (IPTLB mapped {@code a-b}, {@code a_b} and {@code A_B} to one) and
 * no name exceeds the kernel's 28 characters.
 */
public final class ChainNames {

    public static final String PREFIX = "IPTLB_NAT_";
    private static final int HASH_CHARS = 6;
    private static final int ROOM = Chain.MAX_NAME_LENGTH - PREFIX.length();

    private ChainNames() {
    }

    public static String of(String profile) {
        if (profile.matches("[a-z0-9_]+") && profile.length() <= ROOM) {
            return PREFIX + profile.toUpperCase(Locale.ROOT);
        }
        String readable = profile.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
        readable = readable.substring(0, Math.min(readable.length(), ROOM - HASH_CHARS - 1));
        return PREFIX + readable + "-" + hash(profile);
    }

    /** The part after {@link #PREFIX}, short enough for a LOG prefix. */
    public static String shortId(String chain) {
        return chain.substring(PREFIX.length());
    }

    private static String hash(String profile) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(profile.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
