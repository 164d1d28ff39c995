package io.rampart.syntax;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a rule line into words the way iptables-restore does: blanks separate words, double
 * quotes group them, and inside quotes a backslash takes the next character literally. A closing
 * quote also ends the word.
 */
public final class Tokenizer {

    private Tokenizer() {
    }

    public static List<Token> split(String line) throws RuleSyntaxException {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < line.length()) {
            if (isBlank(line.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < line.length() && !isBlank(line.charAt(i)) && line.charAt(i) != '"') {
                i++;
            }
            if (i < line.length() && line.charAt(i) == '"') {
                i = quotedWord(line, start, i, tokens);
            } else {
                // Most words have no quotes: they are taken from the line as they stand.
                tokens.add(new Token(line.substring(start, i), start + 1, i + 1, false));
            }
        }
        return tokens;
    }

    /**
     * Adds the word that starts at {@code start} and has a quote at {@code quote}: the text before
     * the quote, then the quoted text up to the closing quote, which ends the word. Returns where
     * the next word may start.
     */
    private static int quotedWord(String line, int start, int quote, List<Token> tokens)
            throws RuleSyntaxException {
        StringBuilder word = new StringBuilder().append(line, start, quote);
        for (int i = quote + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
            } else if (c == '"') {
                tokens.add(new Token(word.toString(), start + 1, i + 2, true));
                return i + 1;
            } else {
                word.append(c);
            }
        }
        throw new RuleSyntaxException("unterminated double quote", quote + 1);
    }

    /** Where the first character from {@code from} on that is not blank is, or the line's length. */
    static int skipBlanks(String line, int from) {
        int i = from;
        while (i < line.length() && isBlank(line.charAt(i))) {
            i++;
        }
        return i;
    }

    static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
}
