package io.rampart.reconcile;

import io.rampart.model.Chain;
import io.rampart.model.Policy;
import io.rampart.model.Table;
import io.rampart.syntax.SavedState;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the kernel holds, read from iptables-save text ({@link SavedState}) without parsing rules: rules in chains Rampart
 * does not manage may use extensions Rampart does not know, and are never touched anyway.
 */
public final class LiveState {

    private final Map<Table, LiveTable> tables;
    private final List<String> warnings;

    private LiveState(Map<Table, LiveTable> tables, List<String> warnings) {
        this.tables = tables;
        this.warnings = List.copyOf(warnings);
    }

    /** One table: its chains (with policies for built-in ones) and each chain's rule lines in order. */
    public record LiveTable(Table table, Map<String, Chain> chains, Map<String, List<String>> rules) {

        public List<String> rulesOf(String chain) {
            return rules.getOrDefault(chain, List.of());
        }

        public boolean has(String chain) {
            return chains.containsKey(chain);
        }

        /** The policy of a built-in chain; a chain the kernel does not have yet accepts. */
        public Policy policyOf(String builtin) {
            Chain chain = chains.get(builtin);
            return chain == null || chain.policy() == null ? Policy.ACCEPT : chain.policy();
        }
    }

    /** A state made of tables already read, e.g. a {@link KernelView}'s; the maps are used as they are. */
    static LiveState of(Map<Table, LiveTable> tables, List<String> warnings) {
        return new LiveState(tables, warnings);
    }

    /** Whether both hold the same tables, chains, policies and rules (the order of chains aside). */
    boolean holdsTheSameAs(LiveState other) {
        return tables.keySet().equals(other.tables.keySet()) && tables.values().stream().allMatch(t -> {
            LiveTable o = other.tables.get(t.table());
            return t.chains().equals(o.chains()) && t.rules().equals(o.rules());
        });
    }

    public static LiveState parse(String saved) {
        return of(SavedState.parse(saved));
    }

    /** The tables Rampart knows of a dump already read. */
    public static LiveState of(SavedState saved) {
        Map<Table, LiveTable> tables = new EnumMap<>(Table.class);
        for (SavedState.SavedTable table : saved.tables()) {
            table.table().ifPresent(known -> {
                Map<String, Chain> chains = new LinkedHashMap<>();
                table.chains().values().forEach(c -> chains.put(c.name(), new Chain(c.name(), c.policy())));
                tables.put(known, new LiveTable(known, chains, table.rules()));
            });
        }
        return new LiveState(tables, saved.warnings());
    }

    /** What iptables-save warned about, such as rules held by the other iptables backend. */
    public List<String> warnings() {
        return warnings;
    }

    public Optional<LiveTable> table(Table table) {
        return Optional.ofNullable(tables.get(table));
    }

    public List<LiveTable> tables() {
        return List.copyOf(tables.values());
    }
}
