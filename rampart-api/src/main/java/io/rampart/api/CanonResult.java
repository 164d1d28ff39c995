package io.rampart.api;

import java.util.List;

/** Each input line or rule, in canonical form or with its error; {@code ok} when all were valid. */
public record CanonResult(boolean ok, List<CanonLine> lines) {

    public CanonResult {
        lines = List.copyOf(lines);
    }
}
