package io.rampart.config;

import io.rampart.model.Family;
import java.util.Set;

/**
 * One line of iptables-restore text the language made, and where it was written.
 *
 * @param mapped   the text, with the source column of each character
 * @param where    the source line (column: where its text starts)
 * @param families every family the source line went to (for a rule of a table for both, one or two)
 */
public record ExpandedLine(MappedText mapped, SourceRef where, Set<Family> families) {

    public ExpandedLine {
        families = Set.copyOf(families);
    }

    public String text() {
        return mapped.text();
    }
}
