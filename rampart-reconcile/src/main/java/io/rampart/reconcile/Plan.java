package io.rampart.reconcile;

import io.rampart.model.Family;
import io.rampart.model.Policy;
import io.rampart.model.Table;
import io.rampart.syntax.RestoreScript;
import java.util.List;

/**
 * What an apply changes, chain by chain, and the one iptables-restore script that does it.
 *
 * @param script the {@code iptables-restore --noflush} input; empty when nothing differs
 * @param scriptSources for each line of the script (index 0 is line 1), the {@code file:line} it
 *                      came from, or null for lines Rampart wrote itself
 * @param warnings what the kernel's dump warned about (rules held by the other iptables backend)
 */
public record Plan(Family family, String source, List<ChainChange> changes, String script,
                   List<String> scriptSources, List<String> warnings) {

    public Plan {
        changes = List.copyOf(changes);
        scriptSources = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(scriptSources));
        warnings = List.copyOf(warnings);
    }

    /** The script as typed commands, each with its source. */
    public RestoreScript restoreScript() {
        return RestoreScript.parse(script, scriptSources);
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /** How many rules are added, removed or replaced. */
    public int ruleChanges() {
        return changes.stream().mapToInt(c -> c.rules().size()).sum();
    }

    /** What happens to one chain. */
    public record ChainChange(Table table, String chain, Action action, Policy policyBefore, Policy policyAfter,
                              List<RuleChange> rules) {

        public ChainChange {
            rules = List.copyOf(rules);
        }

        public boolean policyChanges() {
            return policyAfter != null && policyAfter != policyBefore;
        }
    }

    /** What happens to a chain as a whole. */
    public enum Action {
        /** The file declares it and the kernel does not have it yet. */
        CREATE,
        /** Its rules or policy differ. */
        UPDATE,
        /** An earlier apply made it and the file no longer declares it. */
        REMOVE,
        /** A chain the file does not manage loses its jumps to a chain being removed. */
        UNLINK
    }

    /**
     * One rule change at a 1-based position (as the chain is when the change runs).
     *
     * @param rule       the rule added, or the one removed for REMOVED
     * @param replaced   for REPLACED, the rule that was there
     * @param moved      the same rule is removed from one place and added at another in this chain
     * @param source   {@code file:line} where the added rule was written, or null
     */
    public record RuleChange(Kind kind, int position, String rule, String replaced, boolean moved, String source) {

        /** The three edits iptables-restore runs by position. */
        public enum Kind { ADDED, REMOVED, REPLACED }
    }
}
