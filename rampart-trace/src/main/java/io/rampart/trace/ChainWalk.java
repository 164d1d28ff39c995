package io.rampart.trace;

import io.rampart.model.Policy;
import io.rampart.model.Table;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Walks one built-in chain as the kernel does: rules in order, jumps pushing a return point,
 * gotos not, RETURN and the end of a user chain popping it, and the policy at the end.
 */
final class ChainWalk {

    private final CompiledRuleset ruleset;
    private final Assumptions assumptions;
    private final boolean explain;

    ChainWalk(CompiledRuleset ruleset, Assumptions assumptions, boolean explain) {
        this.ruleset = ruleset;
        this.assumptions = assumptions;
        this.explain = explain;
    }

    private record ReturnPoint(String chain, int next) {
    }

    /** Walks {@code chain}, adds its steps and notes, and says whether the packet goes on. */
    boolean walk(Table table, String builtin, Flow flow, List<Step> steps, List<String> notes) {
        Policy policy = ruleset.policy(table, builtin).orElse(null);
        if (policy == null) {
            return true;
        }
        Deque<ReturnPoint> stack = new ArrayDeque<>();
        List<Step.Miss> passed = new ArrayList<>();
        String chain = builtin;
        int next = 0;
        while (true) {
            List<CompiledRuleset.CompiledRule> rules = ruleset.rules(table, chain);
            boolean moved = false;
            while (next < rules.size() && !moved) {
                CompiledRuleset.CompiledRule rule = rules.get(next++);
                Condition failed = firstFailure(table, chain, rule, flow, notes);
                if (failed instanceof Condition.Unknown unknown && !assumptions.chosen(unknown.extension())) {
                    flow.stoppedAt = new Trace.Undecided(table.label(), chain, rule.number(), rule.text(),
                            unknown.text(), unknown.extension(), unknown.why(), rule.source());
                    return false;
                }
                if (failed != null) {
                    if (explain) {
                        passed.add(new Step.Miss(table.label(), chain, rule.number(), rule.text(), rule.source(),
                                failed.text()));
                    }
                    continue;
                }
                Action action = rule.action().forFlow(flow);
                if (action.kind() == Action.Kind.UNDECIDED) {
                    flow.stoppedAt = new Trace.Undecided(table.label(), chain, rule.number(), rule.text(),
                            action.unresolved().target(), null, action.unresolved().why(), rule.source());
                    return false;
                }
                action.effect().apply(flow);
                steps.add(new Step(table.label(), chain, rule.number(), rule.text(), action.verdictName(),
                        rule.source(), passed));
                passed = new ArrayList<>();
                switch (action.kind()) {
                    case CONTINUE -> { }
                    case ACCEPT -> {
                        return true;
                    }
                    case DROP -> {
                        return false;
                    }
                    case JUMP -> {
                        stack.push(new ReturnPoint(chain, next));
                        chain = action.chain();
                        next = 0;
                        moved = true;
                    }
                    case GOTO -> {
                        chain = action.chain();
                        next = 0;
                        moved = true;
                    }
                    case RETURN -> {
                        next = Integer.MAX_VALUE;
                        moved = true;
                    }
                }
            }
            if (moved && next == 0) {
                continue;
            }
            if (stack.isEmpty()) {
                steps.add(new Step(table.label(), builtin, null, null, policy.name(), null, passed));
                return policy == Policy.ACCEPT;
            }
            ReturnPoint back = stack.pop();
            chain = back.chain();
            next = back.next();
        }
    }

    /**
     * The first condition the packet fails, or null when the rule matches. When the packet passes
     * every other condition, a match the tracer cannot evaluate and {@code --assume} does not choose
     * for is the answer: the caller stops there.
     */
    private Condition firstFailure(Table table, String chain, CompiledRuleset.CompiledRule rule, Flow flow,
                                   List<String> notes) {
        Condition.Unknown undecided = null;
        for (Condition condition : rule.conditions()) {
            if (condition instanceof Condition.Unknown unknown) {
                if (!assumptions.chosen(unknown.extension())) {
                    undecided = undecided == null ? unknown : undecided;
                } else if (!assumptions.matches(unknown.extension())) {
                    return unknown;
                }
                continue;
            }
            if (condition instanceof Condition.Check check) {
                MatchResult outcome = check.test().test(flow);
                boolean fails = outcome == MatchResult.NO_MATCH || outcome == MatchResult.UNKNOWN
                        && !assume(check.extension(), check.text(), "the tracer lacks the connection's history", notes);
                if (fails) {
                    return check;
                }
            } else if (condition instanceof Condition.Chance chance) {
                if (chance.random() && !assumptions.chosen(chance.extension())) {
                    // Named only here: a walk of many rules would otherwise build a string for each.
                    String where = table.label() + " " + chain + " " + rule.number();
                    Boolean decided = flow.splits.get(where);
                    if (decided != null) {
                        if (!decided) {
                            return chance;
                        }
                        continue;
                    }
                    flow.undecided.add(new Object[] {where, chance.probability(), rule.text()});
                }
                if (!assume(chance.extension(), chance.text(), chance.why(), notes)) {
                    return chance;
                }
            }
        }
        return undecided;
    }

    private boolean assume(String extension, String text, String why, List<String> notes) {
        boolean matches = assumptions.matches(extension);
        if (!assumptions.chosen(extension)) {
            String note = "assumed `" + text + "' matches (" + why + "); --assume " + extension
                    + "=nomatch to trace the other branch";
            if (!notes.contains(note)) {
                notes.add(note);
            }
        }
        return matches;
    }
}
