package io.rampart.reconcile;

import io.rampart.model.Match;
import io.rampart.model.Option;
import io.rampart.model.Rule;
import io.rampart.model.Family;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.syntax.RuleParser;
import io.rampart.syntax.RulePrinter;
import io.rampart.syntax.RuleSyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which user chains Rampart manages, remembered in the kernel itself: a chain named
 * {@value #CHAIN} in each table holds one comment rule per managed chain. Nothing jumps to it, so
 * packets never see it; it lives and dies with the namespace and survives restarts of Rampart.
 */
final class Bookkeeping {

    static final String CHAIN = "RAMPART-MANAGED";

    private final RuleParser parser;
    private final RulePrinter printer;

    Bookkeeping(ExtensionRegistry registry, Family family) {
        this.parser = new RuleParser(registry, family);
        this.printer = new RulePrinter(registry, family);
    }

    /** The chain names recorded in a table's bookkeeping chain. */
    Set<String> recorded(LiveState.LiveTable table) {
        Set<String> names = new TreeSet<>();
        for (String line : table.rulesOf(CHAIN)) {
            try {
                for (Rule rule : parser.parseLine(line, table.table())) {
                    rule.match("comment").flatMap(m -> m.option("comment")).ifPresent(o -> names.add(o.arg()));
                }
            } catch (RuleSyntaxException e) {
                // Not a line Rampart wrote: it records nothing, and is dropped when the chain is rewritten.
            }
        }
        return names;
    }

    /** The lines of a bookkeeping chain that records {@code chains}. */
    List<String> lines(Set<String> chains) {
        List<String> lines = new ArrayList<>();
        for (String chain : chains) {
            lines.add(printer.print(new Rule(CHAIN, List.of(),
                    List.of(new Match("comment", List.of(Option.of("comment", chain)))), null)));
        }
        return lines;
    }
}
