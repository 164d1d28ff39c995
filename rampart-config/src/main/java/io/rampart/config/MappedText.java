package io.rampart.config;

import java.util.Arrays;

/**
 * Text made from a source line, where each character remembers the 1-based column of the source
 * line it came from: a substituted value points at its {@code $}, so errors land on the source.
 */
public record MappedText(String text, int[] columns) {

    /** {@code line} itself, each character at its own column. */
    static MappedText of(String line) {
        int[] columns = new int[line.length()];
        Arrays.setAll(columns, i -> i + 1);
        return new MappedText(line, columns);
    }

    /** {@code text} written from {@code column} on: a line Rampart writes in place of the source's. */
    static MappedText at(String text, int column) {
        int[] columns = new int[text.length()];
        Arrays.setAll(columns, i -> column + i);
        return new MappedText(text, columns);
    }

    /** The source column of the 1-based {@code column} of this text; past the end, just after the last. */
    int sourceColumn(int column) {
        if (columns.length == 0) {
            return 1;
        }
        if (column < 1) {
            return columns[0];
        }
        return column <= columns.length ? columns[column - 1] : columns[columns.length - 1] + 1;
    }

    MappedText slice(int start, int end) {
        return new MappedText(text.substring(start, end), Arrays.copyOfRange(columns, start, end));
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
                add(piece.text().charAt(i), piece.columns()[i]);
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
            return new MappedText(text.toString(), Arrays.copyOf(columns, text.length()));
        }
    }
}
