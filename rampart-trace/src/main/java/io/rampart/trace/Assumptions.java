package io.rampart.trace;

import java.util.Map;

/**
 * What to assume for matches the tracer cannot decide (history, chance, kernel state it does not
 * read), by extension name: matches or not. Without a word, such a match is assumed to match,
 * and every trace says so.
 */
public record Assumptions(Map<String, Boolean> byExtension) {

    public Assumptions {
        byExtension = Map.copyOf(byExtension);
    }

    public static Assumptions none() {
        return new Assumptions(Map.of());
    }

    /** Reads {@code NAME=match|nomatch} as {@code --assume} takes it. */
    public static Assumptions parse(Iterable<String> specs) throws TraceInputException {
        java.util.Map<String, Boolean> out = new java.util.HashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String value = eq < 0 ? "" : spec.substring(eq + 1);
            if (eq <= 0 || !(value.equals("match") || value.equals("nomatch"))) {
                throw new TraceInputException("--assume " + spec + ": write NAME=match or NAME=nomatch,"
                        + " e.g. limit=nomatch");
            }
            out.put(spec.substring(0, eq), value.equals("match"));
        }
        return new Assumptions(out);
    }

    boolean matches(String extension) {
        return byExtension.getOrDefault(extension == null ? "" : extension, true);
    }

    boolean chosen(String extension) {
        return extension != null && byExtension.containsKey(extension);
    }
}
