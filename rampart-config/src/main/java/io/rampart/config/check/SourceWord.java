package io.rampart.config.check;

import io.rampart.config.SourceRef;
import java.util.Objects;

/** One word of a rule as the rule parser read it, and where it was written. */
public record SourceWord(String text, SourceRef where) {

    public SourceWord {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(where, "where");
    }
}
