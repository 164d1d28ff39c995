package io.rampart.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.rampart.model.Family;
import io.rampart.model.Rule;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Rampart against the kernel's recorded answers, without root: every case of every {@code .cases}
 * file must print exactly the lines iptables-save printed, or be refused where iptables-restore refused it.
 */
class KernelCasesTest {

    private final Map<Family, RuleParser> parsers = new EnumMap<>(Family.class);
    private final Map<Family, RulePrinter> printers = new EnumMap<>(Family.class);

    KernelCasesTest() {
        for (Family family : Family.values()) {
            parsers.put(family, new RuleParser(StandardExtensions.registry(), family, NameDatabase.system()));
            printers.put(family, new RulePrinter(StandardExtensions.registry(), family));
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCaseAnswersAsTheKernelDid() {
        return KernelCases.files().stream().map(file -> DynamicTest.dynamicTest(
                file.name() + " (" + file.cases().size() + " cases)", () -> check(file)));
    }

    private void check(KernelCaseFile file) {
        System.out.println("kernel-cases/" + file.name() + ": " + file.cases().size() + " cases");
        List<String> disagreements = new ArrayList<>();
        for (KernelCase c : file.cases()) {
            String ours = disagreement(c);
            if (ours != null) {
                disagreements.add(c.where() + " [" + c.family().command() + " -t " + c.table().label() + "] "
                        + c.line() + "\n    kernel: " + c.answer().toString().replace("\n", "\n            ")
                        + "\n    ours:   " + ours);
            }
        }
        if (!disagreements.isEmpty()) {
            fail(disagreements.size() + " of " + file.cases().size() + " cases of " + file.name()
                    + " disagree with the kernel's recorded answer:\n" + String.join("\n", disagreements));
        }
    }

    /** What Rampart makes of the case where it differs from the recorded answer, or null. */
    private String disagreement(KernelCase c) {
        if (!c.answer().recorded()) {
            return "(the kernel's answer is not recorded: record it with KernelCasesKernelTest, see DEVELOPERS.md)";
        }
        List<String> printed;
        try {
            List<Rule> rules = parsers.get(c.family()).parseLine(c.line(), c.table());
            printed = rules.stream().map(printers.get(c.family())::print).toList();
        } catch (RuleSyntaxException e) {
            return c.answer().refused() ? null : "refused: " + e.getMessage();
        } catch (RuntimeException e) {
            return "crashed: " + e;
        }
        if (c.answer().refused()) {
            return String.join("\n            ", printed);
        }
        return printed.equals(c.answer().savedLines()) ? null : String.join("\n            ", printed);
    }

    /**
     * Two cases give equal rules exactly when the kernel stored the same lines for them (in one family
     * and table): over every pair of recorded cases at once, by mapping each answer to Rampart's rules
     * and each rule list back to the answer.
     */
    @Test
    void equalRulesExactlyWhenTheKernelStoresTheSameRule() {
        record Kept(KernelCase c, Object key) {
        }
        Map<List<Object>, Kept> rulesByAnswer = new HashMap<>();
        Map<List<Object>, Kept> answerByRules = new HashMap<>();
        List<String> disagreements = new ArrayList<>();
        for (KernelCase c : KernelCases.files().stream().flatMap(file -> file.cases().stream()).toList()) {
            if (c.answer().refused() || !c.answer().recorded()) {
                continue;
            }
            List<Rule> rules;
            try {
                rules = parsers.get(c.family()).parseLine(c.line(), c.table());
            } catch (RuntimeException e) {
                continue;
            }
            Kept sameAnswer = rulesByAnswer.putIfAbsent(List.of(c.family(), c.table(), c.answer().savedLines()),
                    new Kept(c, rules));
            if (sameAnswer != null && !sameAnswer.key().equals(rules)) {
                disagreements.add(c.where() + " and " + sameAnswer.c().where()
                        + ": the kernel stores the same rule, Rampart's rules differ:\n    " + c.line() + "\n    "
                        + sameAnswer.c().line());
            }
            Kept sameRules = answerByRules.putIfAbsent(List.of(c.family(), c.table(), rules),
                    new Kept(c, c.answer().savedLines()));
            if (sameRules != null && !sameRules.key().equals(c.answer().savedLines())) {
                disagreements.add(c.where() + " and " + sameRules.c().where()
                        + ": Rampart's rules are equal, the kernel stores different ones:\n    " + c.line() + "\n    "
                        + sameRules.c().line());
            }
        }
        assertThat(disagreements).as("cases whose equality differs from the kernel's").isEmpty();
    }

    @Test
    void noCaseWasLost() {
        int total = KernelCases.files().stream().mapToInt(file -> file.cases().size()).sum();
        System.out.println("kernel-cases: " + total + " cases in all");
        assertThat(total).as("cases in kernel-cases").isGreaterThanOrEqualTo(KernelCases.MINIMUM);
    }
}
