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
 * both states, as a change made in place shares all the others, are the same at no cost. Whether
 * only rules differ, in chains Rampart owns whole, tells the planner whether Rampart's records
 * can differ.
 */
final class DesiredChanges {

    private DesiredChanges() {
    }

    /** How two states differ. */
    enum Kind {
        /** Not by chains alone (another family, a table added or removed): everything must be planned. */
        NOT_BY_CHAINS,
        /** In some chains' rules, each chain declared alike. */
        RULES,
        /** Also in what chains are declared, and how: Rampart's records hang on that. */
        DECLARATIONS
    }

    /** Adds the chains that differ to {@code into}, and says how they differ. */
    static Kind between(DesiredState before, DesiredState after, Set<KernelView.TableChain> into) {
        if (before == after) {
            return Kind.RULES;
        }
        if (before.family() != after.family() || !before.tables().keySet().equals(after.tables().keySet())) {
            return Kind.NOT_BY_CHAINS;
        }
        Kind kind = Kind.RULES;
        for (DesiredTable table : after.tables().values()) {
            DesiredTable old = before.tables().get(table.table());
            if (old == table) {
                continue;
            }
            if (old.byName() == table.byName() && old.chains() == table.chains()) {
                kind = max(kind, rulesOnly(old, table, into)); // rules changed in place: every chain declared alike
                continue;
            }
            Set<String> names = new HashSet<>(old.byName().keySet());
            names.addAll(table.byName().keySet());
            for (String chain : names) {
                Chain was = old.byName().get(chain);
                Chain is = table.byName().get(chain);
                boolean declaredAlike = Objects.equals(was, is);
                if (!declaredAlike || !sameRules(old.rulesOf(chain), table.rulesOf(chain))) {
                    into.add(new KernelView.TableChain(table.table(), chain));
                    if (!declaredAlike || is.sharing() != Chain.Sharing.WHOLE) {
                        kind = Kind.DECLARATIONS; // a shared chain's records hold its rules' fingerprints
                    }
                }
            }
        }
        return kind;
    }

    /** As {@link #between}, for two tables declaring the very same chains: only their rules are compared. */
    private static Kind rulesOnly(DesiredTable old, DesiredTable table, Set<KernelView.TableChain> into) {
        Kind kind = Kind.RULES;
        Set<String> changed = new HashSet<>();
        table.rules().forEach((chain, rules) -> {
            if (!sameRules(old.rulesOf(chain), rules)) {
                changed.add(chain);
            }
        });
        old.rules().forEach((chain, rules) -> {
            if (!table.rules().containsKey(chain) && !rules.isEmpty()) {
                changed.add(chain);
            }
        });
        for (String chain : changed) {
            into.add(new KernelView.TableChain(table.table(), chain));
            Chain declared = table.byName().get(chain);
            if (declared == null || declared.sharing() != Chain.Sharing.WHOLE) {
                kind = Kind.DECLARATIONS; // a shared chain's records hold its rules' fingerprints
            }
        }
        return kind;
    }

    private static Kind max(Kind a, Kind b) {
        return a.compareTo(b) >= 0 ? a : b;
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
