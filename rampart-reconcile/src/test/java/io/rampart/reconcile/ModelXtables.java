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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The kernel of one family behind {@link Xtables}, in memory: restore scripts run through
 * {@link KernelModel}, which refuses what iptables-restore --noflush refuses (the whole script, changing
 * nothing); on top, what tests need to stage: counters, a refusal at a given line, other
 * programs' scripts run just before or after Rampart's, and a change watcher that hears each
 * write's changed chains and process, as {@code nft monitor} tells them.
 */
final class ModelXtables implements Xtables {

    private SavedState state = SavedState.parse("");
    final List<String> scripts = new ArrayList<>();
    /** Counters iptables-save -c shows for a rule line (all others count nothing). */
    final Map<String, String> counters = new LinkedHashMap<>();
    /** When positive, the next restores are refused at this line, as the kernel refuses a bad command. */
    int refuseAtLine;
    /** How many restores in a row {@link #refuseAtLine} refuses. */
    int refusals = 1;
    /** Another program's restore scripts: one runs just before each of Rampart's restores, while there are any. */
    final Deque<String> othersBefore = new ArrayDeque<>();
    /** Likewise, one runs just after each of Rampart's restores. */
    final Deque<String> othersAfter = new ArrayDeque<>();

    /** One write that changed something, as a change watcher hears it: its chains and its process. */
    record Transaction(Set<KernelView.TableChain> chains, long process) {
    }

    /** Hears each write that changed something before the restore returns; null: nobody watches. */
    Consumer<Transaction> watcher;
    /** Whether a restore says which process wrote, as the system's does. */
    boolean namesWriters;
    private long nextProcess = 1000;

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
        long process = nextProcess++;
        if (refuseAtLine > 0) {
            int line = refuseAtLine;
            if (--refusals == 0) {
                refuseAtLine = 0;
            }
            return new RestoreResult(false, "iptables-restore: line " + line + " failed");
        }
        try {
            SavedState before = state;
            state = KernelModel.after(state, RestoreScript.parse(script));
            Set<KernelView.TableChain> changed = changedChains(before, state);
            if (watcher != null && !changed.isEmpty()) {
                watcher.accept(new Transaction(changed, process));
            }
            return new RestoreResult(true, "", namesWriters ? OptionalLong.of(process) : OptionalLong.empty());
        } catch (KernelModel.Refused refused) {
            return new RestoreResult(false, "iptables-restore: line " + refused.line() + " failed: "
                    + refused.getMessage());
        }
    }

    /** Runs another program's script now, heard by the watcher like any write. */
    void runOthers(String script) {
        RestoreResult result = run(script);
        if (!result.ok()) {
            throw new IllegalArgumentException(result.message());
        }
    }

    /** The chains whose existence, policy or rules differ between two states. */
    private static Set<KernelView.TableChain> changedChains(SavedState before, SavedState after) {
        Set<KernelView.TableChain> changed = new HashSet<>();
        for (Table table : Table.values()) {
            Optional<SavedTable> was = before.table(table);
            Optional<SavedTable> is = after.table(table);
            Set<String> chains = new HashSet<>();
            was.ifPresent(t -> chains.addAll(t.chains().keySet()));
            is.ifPresent(t -> chains.addAll(t.chains().keySet()));
            for (String chain : chains) {
                var chainBefore = was.map(t -> t.chains().get(chain)).map(c -> String.valueOf(c.policy()));
                var chainAfter = is.map(t -> t.chains().get(chain)).map(c -> String.valueOf(c.policy()));
                if (!chainBefore.equals(chainAfter)
                        || !was.map(t -> t.rulesOf(chain)).orElse(List.of()).equals(is.map(t -> t.rulesOf(chain))
                        .orElse(List.of()))) {
                    changed.add(new KernelView.TableChain(table, chain));
                }
            }
        }
        return changed;
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
