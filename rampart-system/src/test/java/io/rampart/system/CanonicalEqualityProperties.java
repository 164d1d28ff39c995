package io.rampart.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Rule;
import io.rampart.model.Table;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RuleParser;
import io.rampart.syntax.RulePrinter;
import io.rampart.syntax.RuleSyntaxException;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/**
 * Rampart's rule equality against the kernel's: two spellings give equal canonical rules exactly
 * when the kernel stores the same rule, and printing is a fixed point.
 */
class CanonicalEqualityProperties {

    private final RuleParser parser = new RuleParser(StandardExtensions.registry(), Family.IPV4);
    private final RulePrinter printer = new RulePrinter(StandardExtensions.registry(), Family.IPV4);

    @Property(tries = 300)
    void printingIsAFixedPoint(@ForAll @LongRange(min = 1, max = 1_000_000) long seed) throws RuleSyntaxException {
        String line = RuleSpellings.sameRule(seed).first();
        for (Rule rule : parser.parseLine(line, Table.FILTER)) {
            String printed = printer.print(rule);
            List<Rule> again = parser.parseLine(printed, Table.FILTER);
            assertThat(again).containsExactly(rule);
            assertThat(printer.print(again.get(0))).isEqualTo(printed);
        }
    }

    @Property(tries = 60)
    void equalCanonicalFormsExactlyWhenTheKernelStoresTheSameRule(
            @ForAll @LongRange(min = 1, max = 1_000_000) long seedA,
            @ForAll @LongRange(min = 1, max = 1_000_000) long seedB) throws RuleSyntaxException {
        // Two spellings of one rule, and a spelling of another rule (often, but not always, different).
        RuleSpellings.Pair same = RuleSpellings.sameRule(seedA);
        String other = RuleSpellings.sameRule(seedB).second();
        List<String> lines = List.of(same.first(), same.second(), other);
        List<KernelOracle.Answer> kernel = KernelOracle.shared(List.of())
                .ask(Family.IPV4, Table.FILTER, List.of(), lines);
        List<List<Rule>> ours = List.of(parser.parseLine(lines.get(0), Table.FILTER),
                parser.parseLine(lines.get(1), Table.FILTER), parser.parseLine(lines.get(2), Table.FILTER));
        for (int i = 0; i < 3; i++) {
            assertThat(kernel.get(i).accepted()).as(lines.get(i)).isTrue();
            assertThat(ours.get(i).stream().map(printer::print).toList()).as(lines.get(i))
                    .isEqualTo(kernel.get(i).savedLines());
        }
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                boolean kernelSame = kernel.get(i).savedLines().equals(kernel.get(j).savedLines());
                assertThat(ours.get(i).equals(ours.get(j))).as(lines.get(i) + " vs " + lines.get(j))
                        .isEqualTo(kernelSame);
            }
        }
    }
}
