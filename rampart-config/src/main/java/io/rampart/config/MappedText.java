package io.rampart.config;

import java.util.Arrays;

/**
 * Text made from a source line, where each character remembers the 1-based column of the source
 * line it came from: a substituted value points at its {@code $}, so errors land on the source.
 * Most text is a stretch of its line as written; it keeps its first column only, and a column per
 * character is kept for text made by substitution (a file's lines stay in memory while it is read).
 */
public final class MappedText {

    private final String text;
    /** The column of each character, or null when they follow each other from {@link #first}. */
    private final int[] columns;
    private final int first;

    private MappedText(String text, int[] columns, int first) {
        this.text = text;
        this.columns = columns;
        this.first = first;
    }

    /** {@code line} itself, each character at its own column. */
    static MappedText of(String line) {
        return new MappedText(line, null, 1);
    }

    /** {@code text} written from {@code column} on: a line Rampart writes in place of the source's. */
    static MappedText at(String text, int column) {
        return new MappedText(text, null, column);
    }

    public String text() {
        return text;
    }

    /** The source column of the character at 0-based {@code index}. */
    int columnAt(int index) {
        return columns == null ? first + index : columns[index];
    }

    /** The source column of the first character, 1 for empty text. */
    int firstColumn() {
        return text.isEmpty() ? 1 : columnAt(0);
    }

    /** The source column of the 1-based {@code column} of this text; past the end, just after the last. */
    int sourceColumn(int column) {
        if (text.isEmpty()) {
            return 1;
        }
        if (column < 1) {
            return columnAt(0);
        }
        return column <= text.length() ? columnAt(column - 1) : columnAt(text.length() - 1) + 1;
    }

    MappedText slice(int start, int end) {
        return columns == null ? new MappedText(text.substring(start, end), null, first + start)
                : new MappedText(text.substring(start, end), Arrays.copyOfRange(columns, start, end), 0);
    }

    /** Builds a text piece by piece. */
    static final class Builder {
        private final StringBuilder text = new StringBuilder();
        private int[] columns = new int[16];

        Builder append(MappedText piece) {
            return append(piece, 0, piece.text().length());
        }

        Builder append(MappedText piece, int start, int end) {
            for (int i = start; i < end; i++) {
                add(piece.text().charAt(i), piece.columnAt(i));
            }
            return this;
        }

        /** {@code value} as if all of it were written at {@code column}. */
        Builder append(String value, int column) {
            for (int i = 0; i < value.length(); i++) {
                add(value.charAt(i), column);
            }
            return this;
        }

        private void add(char c, int column) {
            if (text.length() == columns.length) {
                columns = Arrays.copyOf(columns, columns.length * 2);
            }
            columns[text.length()] = column;
            text.append(c);
        }

        MappedText build() {
            int length = text.length();
            for (int i = 1; i < length; i++) {
                if (columns[i] != columns[0] + i) {
                    return new MappedText(text.toString(), Arrays.copyOf(columns, length), 0);
                }
            }
            return new MappedText(text.toString(), null, length == 0 ? 1 : columns[0]);
        }
    }
}
