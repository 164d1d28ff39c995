package io.rampart.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The tables of one address family. */
public record Ruleset(Family family, List<TableRules> tables) {

    public Ruleset {
        Objects.requireNonNull(family, "family");
        tables = List.copyOf(tables);
    }

    public Optional<TableRules> table(Table table) {
        return tables.stream().filter(t -> t.table() == table).findFirst();
    }

    public int ruleCount() {
        return tables.stream().mapToInt(t -> t.rules().size()).sum();
    }
}
