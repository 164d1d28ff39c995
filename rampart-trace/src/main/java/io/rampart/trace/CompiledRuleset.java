package io.rampart.trace;

import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Policy;
import io.rampart.model.Rule;
import io.rampart.model.RuleLocations;
import io.rampart.model.Ruleset;
import io.rampart.model.Table;
import io.rampart.model.TableRules;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RulePrinter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A ruleset made ready for tracing: every rule's conditions and action compiled once. */
public final class CompiledRuleset {

    /** One rule: its position in its chain (from 1), canonical text, source, conditions, action. */
    record CompiledRule(int number, String text, String source, List<Condition> conditions, Action action) {
    }

    /** A LOG rule: where it is and its prefix ("" without --log-prefix). */
    public record LogRule(String table, String chain, int rule, String text, String source, String prefix) {
    }

    /** A rule of the ruleset: its table, chain and position there (from 1), canonical text and source. */
    public record RuleRef(String table, String chain, int rule, String text, String source) {
    }

    private final Family family;
    private final List<LogRule> logRules = new ArrayList<>();
    private final List<RuleRef> everyRule = new ArrayList<>();
    private final Map<Table, Map<String, List<CompiledRule>>> chains = new EnumMap<>(Table.class);
    private final Map<Table, Map<String, Policy>> policies = new EnumMap<>(Table.class);

    private CompiledRuleset(Family family) {
        this.family = family;
    }

    /** A ruleset whose rules have no source, such as the live one. */
    public static CompiledRuleset of(Ruleset ruleset) {
        return of(ruleset, (table, index) -> null);
    }

    /** Keeps where each rule was written, for output that points into the source. */
    public static CompiledRuleset of(Ruleset ruleset, RuleLocations locations) {
        CompiledRuleset out = new CompiledRuleset(ruleset.family());
        RulePrinter printer = new RulePrinter(StandardExtensions.registry(), ruleset.family());
        for (TableRules table : ruleset.tables()) {
            Map<String, List<CompiledRule>> byChain = new HashMap<>();
            Map<String, Policy> tablePolicies = new HashMap<>();
            for (Chain chain : table.chains()) {
                byChain.put(chain.name(), new ArrayList<>());
                if (table.table().isBuiltinChain(chain.name())) {
                    tablePolicies.put(chain.name(), chain.policyIfBuiltin().orElse(Policy.ACCEPT));
                }
            }
            List<Rule> rules = table.rules();
            for (int i = 0; i < rules.size(); i++) {
                Rule rule = rules.get(i);
                List<CompiledRule> list = byChain.computeIfAbsent(rule.chain(), c -> new ArrayList<>());
                if (table.table().isBuiltinChain(rule.chain())) {
                    tablePolicies.putIfAbsent(rule.chain(), Policy.ACCEPT);
                }
                CompiledRule compiled = new CompiledRule(list.size() + 1, printer.print(rule),
                        locations.of(table.table(), i),
                        Conditions.compile(rule, ruleset.family()), Targets.compile(rule.target(), ruleset.family()));
                list.add(compiled);
                out.everyRule.add(new RuleRef(table.table().label(), rule.chain(), compiled.number(), compiled.text(),
                        compiled.source()));
                if (rule.target() != null && rule.target().name().equals("LOG")) {
                    String prefix = rule.target().option("log-prefix").map(io.rampart.model.Option::arg).orElse("");
                    if (prefix.length() >= 2 && prefix.startsWith("\"") && prefix.endsWith("\"")) {
                        prefix = prefix.substring(1, prefix.length() - 1);
                    }
                    out.logRules.add(new LogRule(table.table().label(), rule.chain(), compiled.number(),
                            compiled.text(), compiled.source(), prefix));
                }
            }
            byChain.replaceAll((name, list) -> List.copyOf(list));
            out.chains.put(table.table(), byChain);
            out.policies.put(table.table(), tablePolicies);
        }
        return out;
    }

    /** Every LOG rule, table by table, in order. */
    public List<LogRule> logRules() {
        return List.copyOf(logRules);
    }

    /** Every rule, table by table, each table's in the order written. */
    public List<RuleRef> everyRule() {
        return List.copyOf(everyRule);
    }

    public Family family() {
        return family;
    }

    /** The policy of a built-in chain, empty when the ruleset does not have the chain. */
    Optional<Policy> policy(Table table, String chain) {
        return Optional.ofNullable(policies.getOrDefault(table, Map.of()).get(chain));
    }

    List<CompiledRule> rules(Table table, String chain) {
        return chains.getOrDefault(table, Map.of()).getOrDefault(chain, List.of());
    }
}
