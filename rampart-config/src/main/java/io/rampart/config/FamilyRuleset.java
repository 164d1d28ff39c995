package io.rampart.config;

import io.rampart.config.check.RuleSources;
import io.rampart.model.Family;
import io.rampart.model.Ruleset;
import io.rampart.model.Table;
import io.rampart.model.TableRules;
import io.rampart.syntax.RuleLayout;
import io.rampart.syntax.RuleParser;
import io.rampart.syntax.RuleSyntaxException;
import io.rampart.syntax.SourcedRuleset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a ruleset source says for one address family: the parsed ruleset, the iptables-restore lines
 * it was read from, and where each of its rules and chains was written.
 */
public final class FamilyRuleset implements RuleSources {

    private final Family family;
    private final RuleParser rules;
    private final SourcedRuleset parsed;
    private final List<ExpandedLine> lines;
    private final Map<Table, Map<String, SourceRef>> declarations = new HashMap<>();
    private final Map<Table, SourceRef> headers = new HashMap<>();

    FamilyRuleset(Family family, SourcedRuleset parsed, List<ExpandedLine> lines, RuleParser rules) {
        this.family = family;
        this.rules = rules;
        this.parsed = parsed;
        this.lines = List.copyOf(lines);
        Table current = null;
        for (ExpandedLine line : this.lines) {
            String text = line.text().strip();
            if (text.startsWith("*")) {
                current = Table.byLabel(text.substring(1)).orElse(null);
                if (current != null) {
                    headers.putIfAbsent(current, line.where());
                }
            } else if (text.startsWith(":") && current != null) {
                String name = text.substring(1).split("\\s+")[0];
                declarations.computeIfAbsent(current, t -> new HashMap<>()).putIfAbsent(name, line.where());
            }
        }
    }

    public Family family() {
        return family;
    }

    public Ruleset ruleset() {
        return parsed.ruleset();
    }

    /** The iptables-restore text the source stands for in this family. */
    public String restoreText() {
        StringBuilder text = new StringBuilder();
        lines.forEach(line -> text.append(line.text()).append('\n'));
        return text.toString();
    }

    @Override
    public SourceRef rule(Table table, int index) {
        return lines.get(parsed.lineOf(table, index) - 1).where();
    }

    @Override
    public SourceRef chain(Table table, String chain) {
        SourceRef declared = declarations.getOrDefault(table, Map.of()).get(chain);
        if (declared != null) {
            return declared;
        }
        Optional<TableRules> rules = parsed.ruleset().table(table);
        if (rules.isPresent()) {
            List<io.rampart.model.Rule> list = rules.get().rules();
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).chain().equals(chain)) {
                    return rule(table, i);
                }
            }
        }
        return headers.getOrDefault(table, new SourceRef("", 0, 0));
    }

    /** The rule's line read again by the rule parser: rules are kept without their positions. */
    @Override
    public Optional<RuleLayout> layout(Table table, int index) {
        ExpandedLine line = lines.get(parsed.lineOf(table, index) - 1);
        try {
            return Optional.of(rules.layout(line.text(), table));
        } catch (RuleSyntaxException e) {
            throw new IllegalStateException("the line of a parsed rule does not read again: " + line.text(), e);
        }
    }

    /** The source column that column {@code column} of the rule's expanded line came from. */
    @Override
    public SourceRef column(Table table, int index, int column) {
        ExpandedLine line = lines.get(parsed.lineOf(table, index) - 1);
        SourceRef where = line.where();
        return new SourceRef(where.file(), where.line(), line.mapped().sourceColumn(column), where.includedFrom());
    }

    /** The iptables-restore line rule {@code index} of {@code table} was read from (a line may give several rules). */
    public String text(Table table, int index) {
        return lines.get(parsed.lineOf(table, index) - 1).text();
    }

    /** {@code file:line} of rule {@code index} of {@code table}, for messages about the kernel's refusals. */
    public String location(Table table, int index) {
        SourceRef where = rule(table, index);
        return where.file() + ":" + where.line();
    }
}
