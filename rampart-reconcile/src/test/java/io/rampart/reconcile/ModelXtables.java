package io.rampart.reconcile;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.syntax.KernelModel;
import io.rampart.syntax.RestoreScript;
import io.rampart.syntax.RulesetPrinter;
import io.rampart.syntax.SavedState;
import io.rampart.syntax.SavedState.SavedTable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kernel of one family behind {@link Xtables}, in memory: restore scripts run through
 * {@link KernelModel}, which refuses what iptables-restore --noflush refuses (the whole script, changing
 * nothing); on top, what tests need to stage: counters, a refusal at a given line, and other
 * programs' scripts run just before or after Rampart's.
 */
final class ModelXtables implements Xtables {

    private SavedState state = SavedState.parse("");
    final List<String> scripts = new ArrayList<>();
    /** Counters iptables-save -c shows for a rule line (all others count nothing). */
    final Map<String, String> counters = new LinkedHashMap<>();
    /** When positive, the next restore is refused at this line, as the kernel refuses a bad command. */
    int refuseAtLine;
    /** Another program's restore scripts: one runs just before each of Rampart's restores, while there are any. */
    final Deque<String> othersBefore = new ArrayDeque<>();
    /** Likewise, one runs just after each of Rampart's restores. */
    final Deque<String> othersAfter = new ArrayDeque<>();

    /** How many whole dumps were read. */
    int saves;
    /** The chains listed alone, in order. */
    final List<String> listed = new ArrayList<>();

    @Override
    public String save(Family family) {
        saves++;
        return dump(false);
    }

    /** As {@code iptables -t TABLE -S CHAIN} prints it; empty when there is no such chain. */
    @Override
    public Optional<String> listChain(Family family, Table table, String chain) {
        listed.add(table.label() + " " + chain);
        return state.table(table).filter(t -> t.has(chain)).map(t -> {
            var policy = t.chains().get(chain).policy();
            StringBuilder text = new StringBuilder(policy == null ? "-N " + chain : "-P " + chain + " " + policy.name())
                    .append('\n');
            t.rulesOf(chain).forEach(rule -> text.append(rule).append('\n'));
            return text.toString();
        });
    }

    @Override
    public String saveWithCounters(Family family) {
        return dump(true);
    }

    /** The tables in iptables-save's order, each as the model leaves it. */
    private String dump(boolean withCounters) {
        StringBuilder text = new StringBuilder();
        for (Table table : RulesetPrinter.SAVE_ORDER) {
            SavedTable saved = state.table(table).orElse(null);
            if (saved == null) {
                continue;
            }
            text.append('*').append(table.label()).append('\n');
            saved.chains().values().forEach(c -> text.append(':').append(c.name()).append(' ')
                    .append(c.policy() == null ? "-" : c.policy().name()).append(" [0:0]\n"));
            for (String chain : saved.chains().keySet()) {
                for (String rule : saved.rulesOf(chain)) {
                    if (withCounters) {
                        text.append('[').append(counters.getOrDefault(rule, "0:0")).append("] ");
                    }
                    text.append(rule).append('\n');
                }
            }
            text.append("COMMIT\n");
        }
        return text.toString();
    }

    @Override
    public RestoreResult restore(Family family, String script) {
        if (!othersBefore.isEmpty()) {
            run(othersBefore.poll());
        }
        scripts.add(script);
        RestoreResult result = run(script);
        if (!othersAfter.isEmpty()) {
            run(othersAfter.poll());
        }
        return result;
    }

    private RestoreResult run(String script) {
        if (refuseAtLine > 0) {
            int line = refuseAtLine;
            refuseAtLine = 0;
            return new RestoreResult(false, "iptables-restore: line " + line + " failed");
        }
        try {
            state = KernelModel.after(state, RestoreScript.parse(script));
            return new RestoreResult(true, "");
        } catch (KernelModel.Refused refused) {
            return new RestoreResult(false, "iptables-restore: line " + refused.line() + " failed: "
                    + refused.getMessage());
        }
    }

    /** The rules of one chain as the fake holds them now. */
    List<String> rulesOf(Table table, String chain) {
        return state.table(table).map(t -> List.copyOf(t.rulesOf(chain))).orElse(List.of());
    }

    String policyOf(Table table, String chain) {
        var policy = state.table(table).orElseThrow().chains().get(chain).policy();
        return policy == null ? "-" : policy.name();
    }

    boolean has(Table table, String chain) {
        return state.table(table).filter(t -> t.has(chain)).isPresent();
    }
}
