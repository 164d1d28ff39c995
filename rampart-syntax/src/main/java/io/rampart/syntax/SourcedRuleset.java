package io.rampart.syntax;

import io.rampart.model.Ruleset;
import io.rampart.model.Table;
import java.util.List;
import java.util.Map;

/**
 * A ruleset with the source line of each rule, so a kernel error can be traced to the input.
 *
 * @param lines for each table, the line number of each of its rules, in the order of its rules
 */
public record SourcedRuleset(Ruleset ruleset, Map<Table, List<Integer>> lines) {

    public SourcedRuleset {
        lines = Map.copyOf(lines);
    }

    /** The source line of rule {@code index} of {@code table}. */
    public int lineOf(Table table, int index) {
        return lines.get(table).get(index);
    }
}
