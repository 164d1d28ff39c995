package io.rampart.api;

import io.rampart.api.LiveRulesetResult.ChainView;
import io.rampart.api.LiveRulesetResult.RuleView;
import io.rampart.api.LiveRulesetResult.TableView;
import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.Rule;
import io.rampart.model.TableRules;
import io.rampart.model.Target;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import io.rampart.syntax.RulePrinter;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import io.rampart.syntax.SourcedRuleset;
import io.rampart.system.Iptables;
import io.rampart.system.Netns;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The kernel's ruleset as {@code iptables-save -c} prints it, parsed, with its counters. */
final class LiveRulesets {

    /** {@code [packets:bytes] -A ...}: a rule's counters lead its line. */
    private static final Pattern RULE_COUNTERS = Pattern.compile("\\[(\\d+):(\\d+)\\] (-A .*)");
    /** {@code :INPUT ACCEPT [packets:bytes]}. */
    private static final Pattern CHAIN_COUNTERS = Pattern.compile(":(\\S+) \\S+ \\[(\\d+):(\\d+)\\]");

    private LiveRulesets() {
    }

    /** Packets and bytes. */
    private record Counters(long packets, long bytes) {
        static final Counters NONE = new Counters(0, 0);
    }

    /** The live ruleset of the family without counters and with only the chains the kernel has, as the tracer reads it. */
    static SourcedRuleset parse(Netns netns, Family family) {
        return parse(new Iptables(netns, family).saveOfExistingChains(), family);
    }

    static LiveRulesetResult read(Netns netns, Family family, Optional<DesiredState> desired) {
        String saved = new Iptables(netns, family).saveWithCounters();
        String[] lines = saved.split("\n", -1);
        Map<Integer, Counters> ruleCounters = new HashMap<>();
        Map<String, Counters> chainCounters = new HashMap<>();
        String table = "";
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("*")) {
                table = lines[i].substring(1);
            }
            Matcher rule = RULE_COUNTERS.matcher(lines[i]);
            if (rule.matches()) {
                ruleCounters.put(i + 1, counters(rule.group(1), rule.group(2)));
                lines[i] = rule.group(3); // the same line number, so the parser's lines find the counters
            }
            Matcher chain = CHAIN_COUNTERS.matcher(lines[i]);
            if (chain.matches()) {
                chainCounters.put(table + "/" + chain.group(1), counters(chain.group(2), chain.group(3)));
            }
        }
        SourcedRuleset parsed = parse(String.join("\n", lines), family);
        RulePrinter printer = new RulePrinter(StandardExtensions.registry(), family);
        List<TableView> tables = new ArrayList<>();
        for (TableRules section : parsed.ruleset().tables()) {
            Map<String, List<RuleView>> rules = new HashMap<>();
            SourceLines sources = new SourceLines(desired.flatMap(d -> d.table(section.table())));
            Set<String> chainNames = new HashSet<>();
            section.chains().forEach(c -> chainNames.add(c.name()));
            for (int i = 0; i < section.rules().size(); i++) {
                Rule rule = section.rules().get(i);
                List<RuleView> chainRules = rules.computeIfAbsent(rule.chain(), c -> new ArrayList<>());
                String text = printer.print(rule);
                Counters counted = ruleCounters.getOrDefault(parsed.lineOf(section.table(), i), Counters.NONE);
                chainRules.add(new RuleView(chainRules.size() + 1, text, rule.targetIfAny().map(Target::name)
                        .orElse(null), jump(chainNames, rule), counted.packets(), counted.bytes(),
                        sources.sourceOf(rule.chain(), text)));
            }
            List<ChainView> chains = new ArrayList<>();
            for (Chain chain : section.chains()) {
                Counters counted = chainCounters.getOrDefault(section.table().label() + "/" + chain.name(),
                        Counters.NONE);
                chains.add(new ChainView(chain.name(), section.table().builtinHook(chain.name()).map(Hook::name)
                        .orElse(null), chain.policyIfBuiltin().map(p -> p.name()).orElse(null),
                        counted.packets(), counted.bytes(), rules.getOrDefault(chain.name(), List.of())));
            }
            tables.add(new TableView(section.table().label(), chains));
        }
        return new LiveRulesetResult(family.name().toLowerCase(Locale.ROOT),
                desired.map(DesiredState::source).orElse(null), tables);
    }

    /** {@code jump} or {@code goto} for a rule whose target is one of the table's chains; null otherwise. */
    private static String jump(Set<String> chains, Rule rule) {
        if (rule.target() == null || !chains.contains(rule.target().name())) {
            return null;
        }
        return rule.target().kind() == Target.Kind.GOTO ? "goto" : "jump";
    }

    private static Counters counters(String packets, String bytes) {
        return new Counters(Long.parseLong(packets), Long.parseLong(bytes));
    }

    private static SourcedRuleset parse(String saved, Family family) {
        try {
            return new RulesetParser(StandardExtensions.registry(), family).parseWithLines(saved);
        } catch (RulesetSyntaxException e) {
            throw new ApiException(ApiException.BAD_INPUT, "the live ruleset has a rule Rampart cannot model (line "
                    + e.line() + "): " + e.getMessage());
        }
    }

    /** Where each rule of the file's chains was written: the next unused file rule with the same text. */
    private static final class SourceLines {
        private final Optional<DesiredState.DesiredTable> table;
        private final Map<String, Integer> used = new HashMap<>();

        SourceLines(Optional<DesiredState.DesiredTable> table) {
            this.table = table;
        }

        String sourceOf(String chain, String text) {
            if (table.isEmpty()) {
                return null;
            }
            List<DesiredState.DesiredRule> rules = table.get().rulesOf(chain);
            for (int i = used.getOrDefault(chain, 0); i < rules.size(); i++) {
                if (rules.get(i).line().equals(text)) {
                    used.put(chain, i + 1);
                    return rules.get(i).source();
                }
            }
            return null;
        }
    }
}
