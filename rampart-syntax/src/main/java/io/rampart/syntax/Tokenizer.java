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
        StringBuilder word = new StringBuilder();
        boolean inQuotes = false;
        boolean escaped = false;
        boolean quoted = false;
        int start = -1;
        int quoteColumn = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (inQuotes) {
                if (escaped) {
                    word.append(c);
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inQuotes = false;
                    tokens.add(new Token(word.toString(), start + 1, true));
                    word.setLength(0);
                    start = -1;
                    quoted = false;
                } else {
                    word.append(c);
                }
                continue;
            }
            if (c == '"') {
                inQuotes = true;
                quoted = true;
                quoteColumn = i + 1;
                if (start < 0) {
                    start = i;
                }
            } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                if (word.length() > 0 || quoted) {
                    tokens.add(new Token(word.toString(), start + 1, quoted));
                    word.setLength(0);
                    quoted = false;
                }
                start = -1;
            } else {
                if (start < 0) {
                    start = i;
                }
                word.append(c);
            }
        }
        if (inQuotes) {
            throw new RuleSyntaxException("unterminated double quote", quoteColumn);
        }
        if (word.length() > 0) {
            tokens.add(new Token(word.toString(), start + 1, quoted));
        }
        return tokens;
    }
}
