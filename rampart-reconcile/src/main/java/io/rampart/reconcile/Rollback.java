package io.rampart.reconcile;

import io.rampart.model.Policy;
import io.rampart.model.Table;
import io.rampart.reconcile.LiveState.LiveTable;
import io.rampart.reconcile.Plan.Action;
import io.rampart.reconcile.Plan.ChainChange;
import io.rampart.reconcile.Plan.RuleChange;
import io.rampart.syntax.KernelModel;
import io.rampart.syntax.RestoreScript;
import io.rampart.syntax.RestoreScript.Append;
import io.rampart.syntax.RestoreScript.Command;
import io.rampart.syntax.RestoreScript.DeleteAt;
import io.rampart.syntax.RestoreScript.DeleteChain;
import io.rampart.syntax.RestoreScript.Flush;
import io.rampart.syntax.RestoreScript.Insert;
import io.rampart.syntax.RestoreScript.SetPolicy;
import io.rampart.syntax.RulesetPrinter;
import io.rampart.syntax.SavedState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Undoes an applied plan: the chains it created, changed or removed, and Rampart's bookkeeping,
 * go back to what they held before; the jumps it took out of other chains go back in. Every other
 * chain stays as it is now, and what other tools changed since the apply in the chains it touched
 * (a shared FORWARD, say) is done again on top, so their changes are kept.
 */
public final class Rollback {

    private Rollback() {
    }

    /**
     * The {@code iptables-restore --noflush} script that undoes {@code plan}, which was applied to
     * the kernel when it held {@code before} (iptables-save text) and finds it holding {@code now};
     * empty when the kernel already holds the chains as they were.
     */
    public static String script(Plan plan, String before, String now) {
        SavedState was = SavedState.parse(before);
        RestoreScript applied = plan.restoreScript();
        return script(plan, applied, LiveState.of(was), LiveState.of(KernelModel.after(was, applied)),
                LiveState.parse(now)).text();
    }

    private static RestoreScript script(Plan plan, RestoreScript planned, LiveState before, LiveState applied,
                                        LiveState now) {
        Map<Table, List<ChainChange>> byTable =
                new TreeMap<>(Comparator.comparingInt(RulesetPrinter.SAVE_ORDER::indexOf));
        for (ChainChange change : plan.changes()) {
            byTable.computeIfAbsent(change.table(), t -> new ArrayList<>()).add(change);
        }
        // A plan may change only the bookkeeping of a table.
        planned.tables().stream().map(Table::byLabel).flatMap(java.util.Optional::stream)
                .forEach(t -> byTable.computeIfAbsent(t, x -> new ArrayList<>()));
        RestoreScript.Builder script = new RestoreScript.Builder();
        byTable.forEach((table, changes) -> {
            LiveTable was = before.table(table).orElse(new LiveTable(table, Map.of(), Map.of()));
            LiveTable is = now.table(table).orElse(new LiveTable(table, Map.of(), Map.of()));
            LiveTable then = applied.table(table).orElse(new LiveTable(table, Map.of(), Map.of()));
            tableScript(script.table(table.label()), table, changes, was, then, is);
        });
        return script.build();
    }

    private static void tableScript(RestoreScript.TableBuilder script, Table table, List<ChainChange> changes,
                                    LiveTable was, LiveTable then, LiveTable is) {
        Set<String> restored = new LinkedHashSet<>();
        List<ChainChange> unlinked = new ArrayList<>();
        for (ChainChange change : changes) {
            if (change.action() == Action.UNLINK) {
                unlinked.add(change);
            } else {
                restored.add(change.chain());
            }
        }
        restored.add(Bookkeeping.CHAIN);

        List<Command> body = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (String chain : restored) {
            boolean builtin = table.isBuiltinChain(chain);
            List<String> rules = withChangesSince(was.rulesOf(chain), then.rulesOf(chain), is.rulesOf(chain));
            boolean rulesDiffer = !rules.equals(is.rulesOf(chain));
            if (builtin) {
                if (rulesDiffer) {
                    body.add(new Flush(chain, null));
                    rules.forEach(rule -> body.add(new Append(rule, null)));
                }
                Policy policy = was.policyOf(chain);
                if (policy != is.policyOf(chain)) {
                    body.add(new SetPolicy(chain, policy, null));
                }
            } else if (was.has(chain)) {
                if (!is.has(chain) || rulesDiffer) {
                    // Declaring the chain creates it, or empties it to be filled anew.
                    script.declare(chain);
                    rules.forEach(rule -> body.add(new Append(rule, null)));
                }
            } else if (is.has(chain)) {
                dropped.add(chain);
            }
        }
        for (ChainChange change : unlinked) {
            if (is.has(change.chain())) {
                reinsertJumps(change, is, body);
            }
        }
        for (String chain : is.chains().keySet()) {
            if (!restored.contains(chain)) {
                removeJumps(chain, is.rulesOf(chain), dropped, body);
            }
        }
        dropped.forEach(chain -> body.add(new Flush(chain, null)));
        dropped.forEach(chain -> body.add(new DeleteChain(chain, null)));
        body.forEach(script::add);
    }

    /**
     * A chain as it was {@code before} the apply, with what others changed in it between
     * {@code applied} and {@code now} done again: rules they removed go, rules they added stay,
     * each after the rule it follows now (at the head when it follows none of them).
     */
    static List<String> withChangesSince(List<String> before, List<String> applied, List<String> now) {
        if (now.equals(applied)) {
            return before;
        }
        Map<String, Integer> inApplied = counts(applied);
        Map<String, Integer> inNow = counts(now);
        List<String> rules = new ArrayList<>(before);
        inApplied.forEach((rule, count) -> {
            for (int gone = count - inNow.getOrDefault(rule, 0); gone > 0; gone--) {
                rules.remove(rule);
            }
        });
        Map<String, Integer> seen = new HashMap<>();
        int insertAt = 0;
        for (String rule : now) {
            boolean added = seen.merge(rule, 1, Integer::sum) > inApplied.getOrDefault(rule, 0);
            // An added rule the old chain holds already, e.g. when the apply was undone by hand, stays single.
            if (added && Collections.frequency(rules, rule) < inNow.get(rule)) {
                rules.add(insertAt++, rule);
            } else {
                int found = rules.subList(insertAt, rules.size()).indexOf(rule);
                if (found >= 0) {
                    insertAt += found + 1;
                }
            }
        }
        return rules;
    }

    private static Map<String, Integer> counts(List<String> rules) {
        Map<String, Integer> counts = new HashMap<>();
        rules.forEach(rule -> counts.merge(rule, 1, Integer::sum));
        return counts;
    }

    /**
     * Puts the jumps the plan took out of another tool's chain back where they were, first position
     * first; only those to chains the kernel lacks now, which this rollback creates again.
     */
    private static void reinsertJumps(ChainChange change, LiveTable is, List<Command> body) {
        List<RuleChange> removed = new ArrayList<>(change.rules());
        removed.removeIf(rule -> Planner.jumpTarget(rule.rule()).filter(is::has).isPresent());
        removed.sort(Comparator.comparingInt(RuleChange::position));
        int size = is.rulesOf(change.chain()).size();
        for (RuleChange rule : removed) {
            int position = Math.min(rule.position(), size + 1);
            body.add(new Insert(rule.rule(), position, null));
            size++;
        }
    }

    /** Takes jumps to chains being removed out of a chain that stays, last position first. */
    private static void removeJumps(String chain, List<String> rules, List<String> dropped, List<Command> body) {
        for (int i = rules.size() - 1; i >= 0; i--) {
            if (Planner.jumpTarget(rules.get(i)).filter(dropped::contains).isPresent()) {
                body.add(new DeleteAt(chain, i + 1, null));
            }
        }
    }
}
