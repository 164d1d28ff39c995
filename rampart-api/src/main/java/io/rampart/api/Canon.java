package io.rampart.api;

import io.rampart.model.Failure;
import io.rampart.model.Family;
import io.rampart.model.Rule;
import io.rampart.model.Table;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RuleParser;
import io.rampart.syntax.RulePrinter;
import io.rampart.syntax.RuleSyntaxException;
import java.util.List;

/**
 * Rule lines in the kernel's canonical spelling, one at a time: what {@code rampart canon} prints
 * for each line it reads and {@code POST /api/canon} answers for each line of its text.
 */
public final class Canon {
    private final Table table;
    private final RuleParser parser;
    private final RulePrinter printer;

    /** Lines of {@code table} read as iptables reads them, names looked up in {@code names}. */
    public Canon(Family family, Table table, HostNames names) {
        this.table = table;
        this.parser = new RuleParser(StandardExtensions.registry(), family, names);
        this.printer = new RulePrinter(StandardExtensions.registry(), family);
    }

    /** The table of that name; refused, saying which there are, when there is none. */
    public static Table table(String name) {
        return Table.byLabel(name).orElseThrow(() -> new Failure(Failure.Category.INPUT,
                "unknown table `" + name + "': use raw, mangle, nat, filter or security"));
    }

    /** Line {@code number} (from 1) of the input: its rules in canonical form, or why it is refused. */
    public CanonLine line(int number, String line) {
        if (line.isBlank()) {
            return CanonLine.blank(number, line);
        }
        try {
            List<Rule> rules = parser.parseLine(line, table);
            return new CanonLine(number, line, rules.stream().map(printer::print).toList(), rules, null, null);
        } catch (RuleSyntaxException e) {
            return new CanonLine(number, line, null, null, e.getMessage(), e.column() > 0 ? e.column() : null);
        }
    }

    /** A rule in canonical form, as iptables-save prints it. */
    String print(Rule rule) {
        return printer.print(rule);
    }
}
