package io.rampart.fleet;

import io.rampart.model.Failure;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A host's own values for the ruleset language: its labels (from {@code --labels}) and its
 * variables (under {@code hosts/<name>/vars/}), each a variable the ruleset can use and test in
 * {@code if}. A ruleset that defines one of them itself is an error, as any second definition is.
 */
public final class HostValues {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private HostValues() {
    }

    /** {@code --labels k=v,...} as a map; malformed text is a usage error naming the pair. */
    public static Map<String, String> parseLabels(String text) {
        return parseLabels("--labels", text);
    }

    /** Labels {@code k=v,...} given with {@code option}; malformed text is a usage error naming the pair. */
    public static Map<String, String> parseLabels(String option, String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return labels;
        }
        for (String pair : text.split(",")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair.strip() : pair.substring(0, equals).strip();
            String value = equals < 0 ? "" : pair.substring(equals + 1).strip();
            if (equals < 0 || !NAME.matcher(name).matches() || !plain(value)) {
                throw new Failure(Failure.Category.USAGE, option + ": `" + pair.strip() + "' is not NAME=VALUE (a name"
                        + " of letters, digits and _, a value without blanks, quotes or commas)");
            }
            labels.put(name, value);
        }
        return labels;
    }

    private static boolean plain(String value) {
        return !value.isEmpty() && value.chars().noneMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\''
                || c == '{' || c == '}' || c == '$' || c == '#');
    }

    /**
     * The language's definitions of {@code labels} and {@code vars} (vars keyed by their names),
     * labels first; a variable whose name or value the language cannot take is refused naming it.
     */
    public static String definitions(Map<String, String> labels, Map<String, String> vars) {
        StringBuilder text = new StringBuilder();
        Map<String, String> all = new LinkedHashMap<>(labels);
        for (Map.Entry<String, String> var : new TreeMap<>(vars).entrySet()) {
            if (!NAME.matcher(var.getKey()).matches() || var.getValue().contains("\n")) {
                throw new Failure(Failure.Category.INPUT, "host variable `" + var.getKey() + "': a name of"
                        + " letters, digits and _ and a value of one line");
            }
            if (all.putIfAbsent(var.getKey(), var.getValue()) != null) {
                throw new Failure(Failure.Category.INPUT, "host variable `" + var.getKey()
                        + "' is also a label of the host");
            }
        }
        all.forEach((name, value) -> text.append("define ").append(name).append(" = ").append(value).append('\n'));
        return text.toString();
    }
}
