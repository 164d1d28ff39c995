package io.rampart.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The chains of one table and its rules, in order, as one {@code *table ... COMMIT} section. */
public record TableRules(Table table, List<Chain> chains, List<Rule> rules) {

    public TableRules {
        Objects.requireNonNull(table, "table");
        chains = List.copyOf(chains);
        rules = List.copyOf(rules);
    }

    public Optional<Chain> chain(String name) {
        return chains.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public List<Rule> rulesOf(String chain) {
        return rules.stream().filter(r -> r.chain().equals(chain)).toList();
    }
}
