package io.rampart.cli;

import io.rampart.reconcile.Plan;
import io.rampart.reconcile.Plan.ChainChange;
import io.rampart.reconcile.Plan.RuleChange;
import java.io.PrintWriter;

/** A plan as people read it: per chain, + added, - removed, ~ replaced, with where each rule came from. */
final class PlanText {

    private PlanText() {
    }

    static void print(Plan plan, PrintWriter out) {
        for (ChainChange change : plan.changes()) {
            out.printf("%s %s: %s%s%n", change.table().label(), change.chain(), action(change),
                    change.policyChanges() ? " (policy " + change.policyBefore() + " -> " + change.policyAfter() + ")"
                            : "");
            for (RuleChange rule : change.rules()) {
                String where = rule.source() != null ? "   [" + rule.source() + "]" : "";
                String moved = rule.moved() ? " (moved)" : "";
                switch (rule.kind()) {
                    case ADDED -> out.printf("  + %d: %s%s%s%n", rule.position(), rule.rule(), moved, where);
                    case REMOVED -> out.printf("  - %d: %s%s%n", rule.position(), rule.rule(), moved);
                    case REPLACED -> out.printf("  ~ %d: %s%s%n         was %s%n", rule.position(), rule.rule(), where,
                            rule.replaced());
                }
            }
        }
    }

    private static String action(ChainChange change) {
        return switch (change.action()) {
            case CREATE -> "create";
            case UPDATE -> "update";
            case REMOVE -> "remove";
            case UNLINK -> "drop jumps to removed chains";
        };
    }

    /** "3 chains, 5 rules (2 added, 2 removed, 1 replaced)". */
    static String summary(Plan plan) {
        long added = count(plan, RuleChange.Kind.ADDED);
        long removed = count(plan, RuleChange.Kind.REMOVED);
        long replaced = count(plan, RuleChange.Kind.REPLACED);
        return plan.changes().size() + " chain" + (plan.changes().size() == 1 ? "" : "s") + ", " + plan.ruleChanges()
                + " rule" + (plan.ruleChanges() == 1 ? "" : "s") + " (" + added + " added, " + removed + " removed, "
                + replaced + " replaced)";
    }

    private static long count(Plan plan, RuleChange.Kind kind) {
        return plan.changes().stream().flatMap(c -> c.rules().stream()).filter(r -> r.kind() == kind).count();
    }
}
