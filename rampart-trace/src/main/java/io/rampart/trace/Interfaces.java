package io.rampart.trace;

/** Interface names as rules match them: exact, or a prefix when the pattern ends in {@code +}. */
final class Interfaces {

    private Interfaces() {
    }

    static boolean matches(String pattern, String iface) {
        String name = iface == null ? "" : iface;
        if (pattern.endsWith("+")) {
            return name.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return name.equals(pattern);
    }
}
