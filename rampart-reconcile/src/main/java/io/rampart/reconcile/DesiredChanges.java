package io.rampart.reconcile;

import io.rampart.model.Chain;
import io.rampart.reconcile.DesiredState.DesiredRule;
import io.rampart.reconcile.DesiredState.DesiredTable;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which chains differ between two desired states of one file: those whose declaration (policy,
 * sharing) or rules (by their text: a rule that only moved to another line of the file is the
 * same rule) are not the same, and those one of them declares alone. A chain's rules shared by
 * both states, as a change made in place shares all the others, are the same at no cost.
 */
final class DesiredChanges {

    private DesiredChanges() {
    }

    /**
     * Adds the chains that differ to {@code into}; false when the difference is not one of chains
     * (another family, a table added or removed), so that everything must be planned.
     */
    static boolean between(DesiredState before, DesiredState after, Set<KernelView.TableChain> into) {
        if (before == after) {
            return true;
        }
        if (before.family() != after.family() || !before.tables().keySet().equals(after.tables().keySet())) {
            return false;
        }
        for (DesiredTable table : after.tables().values()) {
            DesiredTable old = before.tables().get(table.table());
            if (old == table) {
                continue;
            }
            Set<String> names = new HashSet<>(old.byName().keySet());
            names.addAll(table.byName().keySet());
            for (String chain : names) {
                if (!sameDeclaration(old.byName().get(chain), table.byName().get(chain))
                        || !sameRules(old.rulesOf(chain), table.rulesOf(chain))) {
                    into.add(new KernelView.TableChain(table.table(), chain));
                }
            }
        }
        return true;
    }

    private static boolean sameDeclaration(Chain before, Chain after) {
        return Objects.equals(before, after);
    }

    private static boolean sameRules(List<DesiredRule> before, List<DesiredRule> after) {
        if (before == after) {
            return true;
        }
        if (before.size() != after.size()) {
            return false;
        }
        for (int i = 0; i < before.size(); i++) {
            if (!before.get(i).line().equals(after.get(i).line())) {
                return false;
            }
        }
        return true;
    }
}
