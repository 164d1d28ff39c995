package io.rampart.config;

import java.util.List;

/**
 * Where something was written: a file, a line and a column (both from 1), and the include
 * statements that led to that file, outermost first.
 */
public record SourceRef(String file, int line, int column, List<SourceRef> includedFrom) {

    public SourceRef {
        includedFrom = List.copyOf(includedFrom);
    }

    public SourceRef(String file, int line, int column) {
        this(file, line, column, List.of());
    }

    /** {@code file:line:col}. */
    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
