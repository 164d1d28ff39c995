package io.rampart.system;

import static org.junit.jupiter.api.Assertions.fail;

import io.rampart.model.Family;
import io.rampart.model.Rule;
import io.rampart.model.Table;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RuleParser;
import io.rampart.syntax.RulePrinter;
import io.rampart.syntax.RuleSyntaxException;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares Rampart with the kernel rule by rule: where the kernel accepts a line, Rampart must
 * print exactly what iptables-save printed; where the kernel refuses it, Rampart must refuse it too.
 */
public final class Differential {

    private Differential() {
    }

    /** One input: the table, chain declarations it needs, and the {@code -A ...} line. */
    public record Case(Family family, Table table, List<String> declarations, String line) {
        public static Case v4(String line) {
            return new Case(Family.IPV4, Table.FILTER, List.of(), line);
        }

        public static Case v6(String line) {
            return new Case(Family.IPV6, Table.FILTER, List.of(), line);
        }

        public static Case in(Family family, Table table, String line) {
            return new Case(family, table, List.of(), line);
        }
    }

    /** Runs every case against the kernel's shared oracle and fails with all disagreements listed. */
    public static void check(List<Case> cases) {
        check(KernelOracle.shared(List.of()), cases);
    }

    /** Runs every case against {@code oracle} and fails with all disagreements listed. */
    public static void check(KernelOracle oracle, List<Case> cases) {
        List<String> disagreements = new ArrayList<>();
        for (Family family : Family.values()) {
            for (Table table : Table.values()) {
                for (List<String> declarations : cases.stream().map(Case::declarations).distinct().toList()) {
                    List<Case> group = cases.stream()
                            .filter(c -> c.family() == family && c.table() == table
                                    && c.declarations().equals(declarations))
                            .toList();
                    if (!group.isEmpty()) {
                        compare(oracle, family, table, declarations, group, disagreements);
                    }
                }
            }
        }
        if (!disagreements.isEmpty()) {
            fail(disagreements.size() + " of " + cases.size() + " rules disagree with the kernel:\n"
                    + String.join("\n", disagreements));
        }
    }

    private static void compare(KernelOracle oracle, Family family, Table table, List<String> declarations,
                                List<Case> group, List<String> disagreements) {
        List<KernelOracle.Answer> answers = oracle.ask(family, table, declarations,
                group.stream().map(Case::line).toList());
        RuleParser parser = new RuleParser(StandardExtensions.registry(), family);
        RulePrinter printer = new RulePrinter(StandardExtensions.registry(), family);
        for (int i = 0; i < group.size(); i++) {
            String line = group.get(i).line();
            KernelOracle.Answer kernel = answers.get(i);
            String where = "[" + family.command() + " -t " + table.label() + "] " + line;
            List<String> ours;
            try {
                List<Rule> rules = parser.parseLine(line, table);
                ours = rules.stream().map(printer::print).toList();
            } catch (RuleSyntaxException e) {
                if (kernel.accepted()) {
                    disagreements.add(where + "\n    kernel: " + kernel.savedLines() + "\n    ours:   refused: "
                            + e.getMessage());
                }
                continue;
            } catch (RuntimeException e) {
                disagreements.add(where + "\n    ours:   crashed: " + e);
                continue;
            }
            if (!kernel.accepted()) {
                disagreements.add(where + "\n    kernel: refused: " + kernel.error().lines().findFirst().orElse("")
                        + "\n    ours:   " + ours);
            } else if (!kernel.savedLines().equals(ours)) {
                disagreements.add(where + "\n    kernel: " + kernel.savedLines() + "\n    ours:   " + ours);
            }
        }
    }
}
