package io.rampart.reconcile;

import io.rampart.model.Family;
import io.rampart.model.Policy;
import io.rampart.model.Table;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.reconcile.Bookkeeping.SavedRecord;
import io.rampart.reconcile.LiveState.LiveTable;
import io.rampart.reconcile.StageRecord.Hooked;
import io.rampart.syntax.RulesetPrinter;
import io.rampart.syntax.SavedState;
import io.rampart.syntax.SavedState.Counters;
import io.rampart.syntax.SavedState.SavedTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stages of a family as {@code rampart stages} shows them, read from one {@code iptables-save -c}:
 * for each, whether it is live, its chains, and the packets and bytes its hooks let in since it
 * last went live (a hook rule is made anew at each switch, so its counters start at zero then).
 */
public final class StageListing {

    private StageListing() {
    }

    /** A stage: live when any built-in chain hooks it; {@code packets} and {@code bytes} sum its hooks. */
    public record Stage(String name, boolean live, List<StageChain> chains, long packets, long bytes) {

        public Stage {
            chains = List.copyOf(chains);
        }
    }

    /**
     * One chain of a stage.
     *
     * @param builtin the built-in chain it stands for, or null for a user chain
     * @param policy  the policy the stage sets on that built-in chain, or null when it leaves it alone
     * @param hooked  whether the built-in chain hooks it now
     * @param packets what the hook counted (0 when not hooked)
     */
    public record StageChain(Table table, String chain, String builtin, Policy policy, int rules, boolean hooked,
                             long packets, long bytes) {
    }

    static List<Stage> read(String savedWithCounters, ExtensionRegistry registry, Family family) {
        SavedState saved = SavedState.parse(savedWithCounters);
        LiveState live = LiveState.of(saved);
        Bookkeeping bookkeeping = new Bookkeeping(registry, family);
        Map<String, List<StageChain>> chains = new LinkedHashMap<>();
        for (Table table : RulesetPrinter.SAVE_ORDER) {
            LiveTable have = live.table(table).orElse(null);
            if (have == null || !have.has(Bookkeeping.CHAIN)) {
                continue;
            }
            Map<String, long[]> counters = hookCounters(saved.table(table).orElseThrow());
            for (SavedRecord record : bookkeeping.stageRecords(have)) {
                StageRecord.parse(record.comment()).ifPresent(parsed -> chains.computeIfAbsent(parsed.name(),
                        n -> new ArrayList<>()).addAll(chainsOf(parsed, have, counters)));
            }
        }
        List<Stage> stages = new ArrayList<>();
        chains.forEach((name, list) -> stages.add(new Stage(name, list.stream().anyMatch(StageChain::hooked), list,
                list.stream().mapToLong(StageChain::packets).sum(), list.stream().mapToLong(StageChain::bytes).sum())));
        return stages;
    }

    private static List<StageChain> chainsOf(StageRecord record, LiveTable have, Map<String, long[]> hookCounters) {
        Table table = have.table();
        List<StageChain> list = new ArrayList<>();
        Map<String, String> builtinOf = new HashMap<>();
        record.builtins().keySet().forEach(b -> builtinOf.put(StageNames.chain(record.name(), b), b));
        String prefix = StageNames.prefix(record.name());
        for (String chain : have.chains().keySet()) {
            if (!chain.startsWith(prefix)) {
                continue;
            }
            String builtin = builtinOf.get(chain);
            Hooked hooked = builtin == null ? null : record.builtins().get(builtin);
            long[] counted = builtin == null ? null : hookCounters.get(StageNames.hook(builtin, record.name()));
            list.add(new StageChain(table, chain, builtin, hooked == null ? null : hooked.policy(),
                    have.rulesOf(chain).size(), counted != null, counted == null ? 0 : counted[0],
                    counted == null ? 0 : counted[1]));
        }
        return list;
    }

    /** The counters of the table's hook rules by rule line (two identical hooks add up); none without counters. */
    private static Map<String, long[]> hookCounters(SavedTable table) {
        Map<String, long[]> sums = new HashMap<>();
        table.rules().forEach((chain, rules) -> {
            List<Counters> counted = table.countersOf(chain);
            for (int i = 0; i < counted.size(); i++) {
                String line = rules.get(i);
                if (StageNames.hookedStage(line, chain).isPresent()) {
                    long[] sum = sums.computeIfAbsent(line, l -> new long[2]);
                    sum[0] += counted.get(i).packets();
                    sum[1] += counted.get(i).bytes();
                }
            }
        });
        return sums;
    }
}
