package io.rampart.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * Prints a ruleset source in its canonical layout. It changes layout only, never what the source
 * says: blanks outside quotes collapse to one, statements inside {@code if}/{@code else} and
 * {@code macro} blocks are indented two spaces per level and everything else starts at column 1, a
 * trailing comment is set off by one space, lists are written {@code { a, b }} in definitions and
 * macro arguments and {@code {a,b}} in rules, runs of blank lines become one, and blank lines at the
 * start and end go. Comments, the order of lines and the words of rules are kept as written.
 */
public final class Formatter {

    private static final String INDENT = "  ";

    private Formatter() {
    }

    public static String format(String source) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        for (String line : source.split("\\r?\\n", -1)) {
            String code = LineText.code(line).strip();
            String comment = LineText.comment(line);
            if (code.isEmpty() && comment.isEmpty()) {
                if (!out.isEmpty() && !out.get(out.size() - 1).isEmpty()) {
                    out.add("");
                }
                continue;
            }
            String keyword = LineText.firstWord(code);
            if (keyword.equals("end") || keyword.equals("else")) {
                depth = Math.max(0, depth - 1);
            }
            String text = code.isEmpty() ? comment : comment.isEmpty() ? statement(code, keyword)
                    : statement(code, keyword) + " " + comment;
            out.add(INDENT.repeat(depth) + text);
            if (keyword.equals("if") || keyword.equals("macro") || keyword.equals("else")) {
                depth++;
            }
        }
        while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out.isEmpty() ? "" : String.join("\n", out) + "\n";
    }

    private static String statement(String code, String keyword) {
        if (LineText.hasOpenQuote(code)) {
            return code; // left for the check to report; reflowing it could change its words
        }
        String text = LineText.collapseBlanks(code);
        switch (keyword) {
            case "define" -> {
                Matcher define = Statements.DEFINE.matcher(text);
                if (define.matches()) {
                    return "define " + define.group(1) + " = " + list(define.group(2), ", ", true);
                }
            }
            case "macro", "use" -> {
                Matcher call = Statements.CALL.matcher(text);
                if (call.matches()) {
                    List<String> arguments = new ArrayList<>();
                    for (String argument : LineText.splitAtTopLevelCommas(call.group(3))) {
                        if (!argument.isBlank()) {
                            arguments.add(list(argument.strip(), ", ", true));
                        }
                    }
                    return call.group(1) + " " + call.group(2) + "(" + String.join(", ", arguments) + ")";
                }
            }
            default -> {
                return list(text, ",", false);
            }
        }
        return text;
    }

    /** {@code {a,b}} groups outside quotes rewritten with {@code separator}, padded inside when asked. */
    private static String list(String text, String separator, boolean padded) {
        boolean[] quoted = LineText.quotedMask(text);
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            int close = c == '{' && !quoted[i] ? text.indexOf('}', i) : -1;
            if (close < 0 || (i > 0 && text.charAt(i - 1) == '$')) {
                out.append(c);
                i++;
                continue;
            }
            List<String> items = new ArrayList<>();
            for (String item : text.substring(i + 1, close).split(",", -1)) {
                items.add(item.strip());
            }
            boolean blank = items.size() == 1 && items.get(0).isEmpty();
            out.append(blank ? "{}" : padded ? "{ " + String.join(separator, items) + " }"
                    : "{" + String.join(separator, items) + "}");
            i = close + 1;
        }
        return out.toString();
    }
}
