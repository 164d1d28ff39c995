package io.rampart.reconcile;

import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Rule;
import io.rampart.model.RuleLocations;
import io.rampart.model.Ruleset;
import io.rampart.model.Table;
import io.rampart.model.TableRules;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.syntax.RulePrinter;
import io.rampart.syntax.SourcedRuleset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a ruleset file asks for, per table: the chains it declares (which Rampart then manages)
 * and their rules in canonical text, each with the source line it came from.
 */
public record DesiredState(Family family, String source, Map<Table, DesiredTable> tables) {

    /**
     * A desired rule: its canonical line and where it was written.
     *
     * @param source {@code file:line} of the rule, through includes; null when it has none
     */
    public record DesiredRule(String line, String source) {
    }

    /**
     * A table's declared chains and their rules, in order.
     *
     * @param byName the declared chains by name: the planner asks once per chain, 10,000 chains are real
     */
    public record DesiredTable(Table table, List<Chain> chains, Map<String, List<DesiredRule>> rules,
                               Map<String, Chain> byName) {

        public DesiredTable(Table table, List<Chain> chains, Map<String, List<DesiredRule>> rules) {
            this(table, chains, rules, indexByName(chains));
        }

        private static Map<String, Chain> indexByName(List<Chain> chains) {
            Map<String, Chain> byName = new HashMap<>();
            chains.forEach(c -> byName.put(c.name(), c));
            return byName;
        }

        public List<DesiredRule> rulesOf(String chain) {
            return rules.getOrDefault(chain, List.of());
        }

        public boolean declares(String chain) {
            return byName.containsKey(chain);
        }

        public Optional<Chain> chain(String name) {
            return Optional.ofNullable(byName.get(name));
        }
    }

    public DesiredState {
        tables = Map.copyOf(tables);
    }

    /** The desired state of a parsed file; {@code source} names it in messages and in each rule's location. */
    public static DesiredState of(SourcedRuleset parsed, ExtensionRegistry registry, String source) {
        return of(parsed.ruleset(), registry, source, (table, index) -> source + ":" + parsed.lineOf(table, index));
    }

    /** The desired state of a ruleset whose rules were written where {@code locations} says. */
    public static DesiredState of(Ruleset ruleset, ExtensionRegistry registry, String source,
                                  RuleLocations locations) {
        return of(ruleset, registry, source, locations, (table, index) -> null);
    }

    /** The line rule {@code index} of a table was read from, or null when unknown. */
    @FunctionalInterface
    public interface WrittenLines {
        String of(Table table, int index);
    }

    /**
     * As {@link #of(Ruleset, ExtensionRegistry, String, RuleLocations)}; {@code written} gives the
     * text each rule was read from (null when unknown). A rule written in its canonical spelling,
     * as an iptables-save file's are, keeps that text as its line instead of a second copy of it:
     * at 100,000 rules the copies were a tenth of what the command holds.
     */
    public static DesiredState of(Ruleset ruleset, ExtensionRegistry registry, String source,
                                  RuleLocations locations, WrittenLines written) {
        RulePrinter printer = new RulePrinter(registry, ruleset.family());
        Map<Table, DesiredTable> tables = new LinkedHashMap<>();
        for (TableRules section : ruleset.tables()) {
            Map<String, List<DesiredRule>> rules = new LinkedHashMap<>();
            List<Rule> list = section.rules();
            for (int i = 0; i < list.size(); i++) {
                Rule rule = list.get(i);
                String line = printer.print(rule);
                String text = written.of(section.table(), i);
                rules.computeIfAbsent(rule.chain(), c -> new ArrayList<>())
                        .add(new DesiredRule(line.equals(text) ? text : line, locations.of(section.table(), i)));
            }
            List<Chain> chains = new ArrayList<>(section.chains());
            Set<String> declared = new HashSet<>();
            section.chains().forEach(c -> declared.add(c.name()));
            // Rules in a built-in chain the file does not declare: its rules are managed, its policy is not.
            for (String chain : rules.keySet()) {
                if (declared.add(chain)) {
                    chains.add(Chain.user(chain));
                }
            }
            tables.put(section.table(), new DesiredTable(section.table(), chains, rules));
        }
        return new DesiredState(ruleset.family(), source, tables);
    }

    public Optional<DesiredTable> table(Table table) {
        return Optional.ofNullable(tables.get(table));
    }
}
