package io.rampart.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Reading one source line the way the language does: double quotes group text (a backslash inside
 * them takes the next character literally, as iptables-restore does), and a {@code #} that starts a
 * word outside quotes begins a comment that runs to the end of the line.
 */
final class LineText {

    private LineText() {
    }

    /** The lines of {@code text}, split at LF or CRLF, an empty last line kept; no regular expression. */
    static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
            lines.add(text.substring(start, end > start && text.charAt(end - 1) == '\r' ? end - 1 : end));
            start = end + 1;
        }
        lines.add(text.substring(start));
        return lines;
    }

    /** {@code a, {b, c}, "d, e"} split at the commas outside braces and quotes. */
    static List<String> splitAtTopLevelCommas(String text) {
        List<String> parts = new ArrayList<>();
        boolean[] quoted = quotedMask(text);
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (quoted[i]) {
                continue;
            }
            char c = text.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }

    /** Where the comment of {@code line} starts (0-based), or the line's length when it has none. */
    static int commentStart(String line) {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '#' && (i == 0 || isBlank(line.charAt(i - 1)))) {
                return i;
            }
        }
        return line.length();
    }

    /** The line without its comment and without trailing blanks. */
    static String code(String line) {
        return line.substring(0, commentStart(line)).stripTrailing();
    }

    /** The comment of the line, from its {@code #}, without trailing blanks; empty when there is none. */
    static String comment(String line) {
        return line.substring(commentStart(line)).stripTrailing();
    }

    /**
     * For each character of {@code text}, whether it is inside double quotes (the quotes themselves
     * count as inside): the language's {@code $}, braces and {@code @} are literal there.
     */
    static boolean[] quotedMask(String text) {
        boolean[] mask = new boolean[text.length()];
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                mask[i] = true;
                if (c == '\\' && i + 1 < text.length()) {
                    mask[++i] = true;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                mask[i] = true;
                quoted = true;
            }
        }
        return mask;
    }

    /** Whether {@code text} has an opening double quote that is never closed. */
    static boolean hasOpenQuote(String text) {
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            }
        }
        return quoted;
    }

    /** Collapses runs of blanks outside quotes to one space; quoted text is kept exactly. */
    static String collapseBlanks(String code) {
        boolean[] mask = quotedMask(code);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (!mask[i] && isBlank(c)) {
                if (out.length() > 0 && out.charAt(out.length() - 1) != ' ') {
                    out.append(' ');
                }
            } else {
                out.append(c);
            }
        }
        return out.toString().strip();
    }

    /** The first blank-separated word of {@code code}. */
    static String firstWord(String code) {
        String stripped = code.strip();
        int end = 0;
        while (end < stripped.length() && !isBlank(stripped.charAt(end)) && stripped.charAt(end) != '(') {
            end++;
        }
        return stripped.substring(0, end);
    }

    static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\r';
    }

    /** The 1-based column of the first non-blank character, or 1. */
    static int indentColumn(String line) {
        int i = 0;
        while (i < line.length() && isBlank(line.charAt(i))) {
            i++;
        }
        return i + 1;
    }
}
