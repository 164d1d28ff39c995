package io.rampart.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Rule;
import io.rampart.model.Table;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.property.SeededProperty;
import io.rampart.syntax.RuleParser;
import io.rampart.syntax.RulePrinter;
import io.rampart.syntax.RuleSyntaxException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Printing is a fixed point over random spellings of rules. That equal canonical rules are exactly
 * the rules the kernel stores the same is checked over the recorded cases (KernelCasesTest), among
 * them pairs of these spellings ({@code spellings.cases}).
 */
class CanonicalEqualityProperties {

    private final RuleParser parser = new RuleParser(StandardExtensions.registry(), Family.IPV4,
            NameDatabase.system());
    private final RulePrinter printer = new RulePrinter(StandardExtensions.registry(), Family.IPV4);

    @Test
    void printingIsAFixedPoint() {
        SeededProperty.of("printing is a fixed point", 300, random -> 1 + random.nextInt(1_000_000)).check(seed -> {
            String line = RuleSpellings.sameRule(seed).first();
            try {
                for (Rule rule : parser.parseLine(line, Table.FILTER)) {
                    String printed = printer.print(rule);
                    List<Rule> again = parser.parseLine(printed, Table.FILTER);
                    assertThat(again).as(line).containsExactly(rule);
                    assertThat(printer.print(again.get(0))).isEqualTo(printed);
                }
            } catch (RuleSyntaxException e) {
                throw new AssertionError(line + ": " + e.getMessage(), e);
            }
        });
    }
}
