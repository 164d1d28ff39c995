package io.rampart.cli;

import io.rampart.analysis.RulesetDiff;
import io.rampart.api.LiveRulesets;
import io.rampart.model.Family;
import io.rampart.model.Rule;
import io.rampart.model.RuleLocations;
import io.rampart.model.Ruleset;
import io.rampart.model.Table;
import io.rampart.model.TableRules;
import io.rampart.model.extension.NameDatabase;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * The kernel's ruleset as one side of {@code diff} or {@code test}, read once with iptables-save. Its
 * rules have no file, so each is named by where the kernel holds it: {@code live:filter/INPUT#3} (the
 * host) or {@code live@NS:filter/INPUT#3} (namespace NS), the third rule of filter's INPUT.
 */
final class LiveSide {

    /** The word that stands for the kernel's ruleset in place of a file. */
    static final String WORD = "live";

    private LiveSide() {
    }

    /** The name of the live ruleset of {@code netns} (null: the host): {@code live} or {@code live@NS}. */
    static String name(String netns) {
        return netns == null ? WORD : WORD + "@" + netns;
    }

    /** The namespace {@code word} names when it is {@code live@NS}, null for {@code live}; not live words are refused. */
    static String namespaceOf(String word) {
        if (word.equals(WORD)) {
            return null;
        }
        if (!word.startsWith(WORD + "@") || word.length() == WORD.length() + 1) {
            throw new IllegalArgumentException(word + " is not `live' or `live@NS'");
        }
        return word.substring(WORD.length() + 1);
    }

    /** Whether {@code word} names a live ruleset rather than a file. */
    static boolean isLive(String word) {
        return word.equals(WORD) || (word.startsWith(WORD + "@") && word.length() > WORD.length() + 1);
    }

    /** The live ruleset of {@code netns} (null: the host) for {@code family}, each rule named by its place. */
    static RulesetDiff.Side read(String netns, Family family) {
        Ruleset ruleset;
        ProcessRunner runner = ProcessRunner.system();
        try (Netns namespace = netns == null ? Netns.host(runner) : Netns.existing(netns, runner)) {
            ruleset = LiveRulesets.parse(namespace, family, NameDatabase.system()).ruleset();
        }
        String name = name(netns);
        return new RulesetDiff.Side(name, ruleset, places(name, ruleset));
    }

    /** Each rule's place as {@code NAME:table/CHAIN#N}, N counting from 1 within its chain. */
    static RuleLocations places(String name, Ruleset ruleset) {
        Map<Table, String[]> places = new EnumMap<>(Table.class);
        for (TableRules table : ruleset.tables()) {
            String[] of = new String[table.rules().size()];
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < of.length; i++) {
                Rule rule = table.rules().get(i);
                int position = seen.merge(rule.chain(), 1, Integer::sum);
                of[i] = name + ":" + table.table().label() + "/" + rule.chain() + "#" + position;
            }
            places.put(table.table(), of);
        }
        return (table, index) -> {
            String[] of = places.get(table);
            return of == null || index < 0 || index >= of.length ? null : of[index];
        };
    }
}
