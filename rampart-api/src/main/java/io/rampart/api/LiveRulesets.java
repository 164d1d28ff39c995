package io.rampart.api;

import io.rampart.api.LiveRulesetResult.ChainView;
import io.rampart.api.LiveRulesetResult.RuleView;
import io.rampart.api.LiveRulesetResult.TableView;
import io.rampart.model.Chain;
import io.rampart.model.Failure;
import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.Rule;
import io.rampart.model.Table;
import io.rampart.model.TableRules;
import io.rampart.model.Target;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import io.rampart.syntax.SavedState;
import io.rampart.syntax.SavedState.Counters;
import io.rampart.syntax.SourcedRuleset;
import io.rampart.system.Iptables;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's ruleset as {@code iptables-save -c} prints it, parsed, with its counters. Parsing is
 * the costly part, so the parsed rules are kept and used again while the kernel holds the same
 * rules (and the file they point into is unchanged); every look reads the counters afresh.
 */
public final class LiveRulesets {

    /** Counters this old are read again, in the background, when a view asks for them. */
    static final long RECENT_MILLIS = 2_000;
    /** {@code -A CHAIN ... -c packets bytes ...}: {@code iptables -S -v} puts the counters before the target. */
    private static final Pattern LISTED_COUNTERS = Pattern.compile(" -c (\\d+) (\\d+)");

    private final Map<Family, Parsed> parsed = new EnumMap<>(Family.class);
    /** The last look per family, while the kernel has reported no change since it was taken. */
    private final Map<Family, Recent> recent = new EnumMap<>(Family.class);
    /** Counts the kernel's reported changes: a look taken across one is not kept as recent. */
    private long changes;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final HostNames names;

    /** Live rulesets whose text is read with {@code names}, as the host's iptables-save named what it printed. */
    LiveRulesets(HostNames names) {
        this.names = names;
    }

    private record Recent(Snapshot snapshot, long takenAt) {
    }

    /** One rule: its table, its position from 1 in its chain, and its canonical text. */
    record LiveRule(Table table, int number, String text, Rule rule, String target, String jump, String source) {
    }

    /** One chain; {@code hook} and {@code policy} are null for a user chain. */
    record LiveChain(String name, String hook, String policy, List<LiveRule> rules) {
    }

    record LiveTable(Table table, List<LiveChain> chains) {
        String label() {
            return table.label();
        }
    }

    /**
     * The rules of one family as parsed from one save output.
     *
     * @param key what the save output is without counters and dates: the same key, the same rules
     */
    record Parsed(Family family, String key, String fileStamp, String file, SourcedRuleset sourced,
                  List<LiveTable> tables) {
    }

    /**
     * The rules as parsed and the counters of one look at the kernel: {@code counted} holds the
     * same rules as {@code parsed}, in the same places.
     */
    record Snapshot(Parsed parsed, SavedState counted) {

        List<LiveTable> tables() {
            return parsed.tables();
        }

        private Counters of(LiveRule rule) {
            List<Counters> chain = counted.table(rule.table()).map(t -> t.countersOf(rule.rule().chain()))
                    .orElse(List.of());
            return rule.number() <= chain.size() ? chain.get(rule.number() - 1) : Counters.ZERO;
        }

        long packets(LiveRule rule) {
            return of(rule).packets();
        }

        long bytes(LiveRule rule) {
            return of(rule).bytes();
        }

        /** Packets and bytes a built-in chain's policy counted; zero for a user chain. */
        long[] counters(LiveTable table, LiveChain chain) {
            Counters counters = counted.table(table.table()).map(t -> t.chains().get(chain.name()))
                    .map(SavedState.SavedChain::counters).orElse(Counters.ZERO);
            return new long[] {counters.packets(), counters.bytes()};
        }

        RuleView view(LiveRule rule) {
            return new RuleView(rule.number(), rule.text(), rule.target(), rule.jump(), packets(rule), bytes(rule),
                    rule.source());
        }

        ChainView view(LiveTable table, LiveChain chain) {
            long[] counted = counters(table, chain);
            return new ChainView(chain.name(), chain.hook(), chain.policy(), counted[0], counted[1],
                    chain.rules().stream().map(this::view).toList());
        }

        /** The whole ruleset with counters, as {@code GET /api/ruleset} answers it. */
        LiveRulesetResult result() {
            List<TableView> views = tables().stream().map(t -> new TableView(t.label(),
                    t.chains().stream().map(c -> view(t, c)).toList())).toList();
            return new LiveRulesetResult(parsed.family().name().toLowerCase(Locale.ROOT), parsed.file(), views);
        }
    }

    /**
     * Looks at the kernel's rules of {@code family} now.
     *
     * @param fileStamp tells one version of the file from another; rules are parsed again when it changes
     * @param desired   the file's desired state, asked for only when the rules are parsed again
     */
    Snapshot read(Netns netns, Family family, String fileStamp, Supplier<Optional<DesiredState>> desired) {
        long changesBefore;
        synchronized (this) {
            changesBefore = changes;
        }
        SavedState counted = SavedState.parse(new Iptables(netns, family).saveWithCounters());
        // Without counters and the date iptables-save writes: the same key, the same rules.
        String key = counted.withoutCounters();
        Parsed rules;
        synchronized (this) {
            Parsed known = parsed.get(family);
            if (known == null || !known.key().equals(key) || !known.fileStamp().equals(fileStamp)) {
                known = parse(key, family, fileStamp, desired.get());
                parsed.put(family, known);
            }
            rules = known;
        }
        Snapshot snapshot = new Snapshot(rules, counted);
        synchronized (this) {
            if (changes == changesBefore) {
                recent.put(family, new Recent(snapshot, System.currentTimeMillis()));
            }
        }
        return snapshot;
    }

    /**
     * A look for a view of the ruleset, which need not wait for the kernel: the last look while the
     * kernel has reported no change since, its counters read again in the background when they are
     * older than {@link #RECENT_MILLIS}; otherwise a new look, {@code look}.
     */
    Snapshot recent(Family family, Supplier<Snapshot> look) {
        Recent known;
        synchronized (this) {
            known = recent.get(family);
        }
        if (known == null) {
            return look.get();
        }
        if (System.currentTimeMillis() - known.takenAt() > RECENT_MILLIS && refreshing.compareAndSet(false, true)) {
            Thread refresh = new Thread(() -> {
                try {
                    look.get();
                } catch (RuntimeException e) {
                    forget(); // the next view looks itself, and reports what is wrong
                } finally {
                    refreshing.set(false);
                }
            }, "rampart-counters");
            refresh.setDaemon(true);
            refresh.start();
        }
        return known.snapshot();
    }

    /** The kernel reported a change of rules: views look again. */
    synchronized void forget() {
        changes++;
        recent.clear();
    }

    /**
     * The chain's rules from the recent look with counters read now, from {@code iptables -S CHAIN -v}
     * (one chain, so quick in a large ruleset); empty when the kernel's chain no longer has exactly
     * those rules.
     */
    Optional<ChainView> counted(Netns netns, Snapshot snapshot, LiveTable table, LiveChain chain) {
        Family family = snapshot.parsed().family();
        ProcessResult listed = new Iptables(netns, family).run(table.table(), List.of("-S", chain.name(), "-v"));
        if (!listed.ok()) {
            return Optional.empty();
        }
        List<RuleView> rules = new ArrayList<>();
        long[] policy = new long[2];
        String head = "-A " + chain.name() + " ";
        for (String line : listed.stdout().lines().toList()) {
            if (line.startsWith("-P ")) {
                Matcher counters = LISTED_COUNTERS.matcher(line);
                if (counters.find()) {
                    policy = new long[] {Long.parseLong(counters.group(1)), Long.parseLong(counters.group(2))};
                }
            } else if (line.startsWith(head)) {
                if (rules.size() >= chain.rules().size()) {
                    return Optional.empty();
                }
                LiveRule rule = chain.rules().get(rules.size());
                Optional<RuleView> view = countedAs(line, rule);
                if (view.isEmpty()) {
                    return Optional.empty();
                }
                rules.add(view.get());
            }
        }
        if (rules.size() != chain.rules().size()) {
            return Optional.empty();
        }
        return Optional.of(new ChainView(chain.name(), chain.hook(), chain.policy(), policy[0], policy[1], rules));
    }

    /** The rule with the counters of its listed line, when the line is the rule (a comment may hold " -c 1 2" too). */
    private static Optional<RuleView> countedAs(String line, LiveRule rule) {
        Matcher counters = LISTED_COUNTERS.matcher(line);
        while (counters.find()) {
            String without = line.substring(0, counters.start()) + line.substring(counters.end());
            if (without.equals(rule.text())) {
                return Optional.of(new RuleView(rule.number(), rule.text(), rule.target(), rule.jump(),
                        Long.parseLong(counters.group(1)), Long.parseLong(counters.group(2)), rule.source()));
            }
        }
        return Optional.empty();
    }

    /** Parses save text without counters; {@code desired} says where its rules were written. */
    Parsed parse(String key, Family family, String fileStamp, Optional<DesiredState> desired) {
        SourcedRuleset sourced = parse(key, family, names);
        // The kernel's text of a rule is its canonical text: the line is kept, not printed again.
        String[] lines = key.split("\n", -1);
        List<LiveTable> tables = new ArrayList<>();
        for (TableRules section : sourced.ruleset().tables()) {
            Map<String, List<LiveRule>> rules = new HashMap<>();
            SourceLines sources = new SourceLines(desired.flatMap(d -> d.table(section.table())));
            Set<String> chainNames = new HashSet<>();
            section.chains().forEach(c -> chainNames.add(c.name()));
            for (int i = 0; i < section.rules().size(); i++) {
                Rule rule = section.rules().get(i);
                List<LiveRule> chainRules = rules.computeIfAbsent(rule.chain(), c -> new ArrayList<>());
                String text = lines[sourced.lineOf(section.table(), i) - 1];
                chainRules.add(new LiveRule(section.table(), chainRules.size() + 1, text, rule,
                        rule.targetIfAny().map(Target::name).orElse(null), jump(chainNames, rule),
                        sources.sourceOf(rule.chain(), text)));
            }
            List<LiveChain> chains = new ArrayList<>();
            for (Chain chain : section.chains()) {
                chains.add(new LiveChain(chain.name(), section.table().builtinHook(chain.name()).map(Hook::name)
                        .orElse(null), chain.policyIfBuiltin().map(p -> p.name()).orElse(null),
                        List.copyOf(rules.getOrDefault(chain.name(), List.of()))));
            }
            tables.add(new LiveTable(section.table(), List.copyOf(chains)));
        }
        return new Parsed(family, key, fileStamp, desired.map(DesiredState::source).orElse(null), sourced,
                List.copyOf(tables));
    }

    /** {@code jump} or {@code goto} for a rule whose target is one of the table's chains; null otherwise. */
    private static String jump(Set<String> chains, Rule rule) {
        if (rule.target() == null || !chains.contains(rule.target().name())) {
            return null;
        }
        return rule.target().kind() == Target.Kind.GOTO ? "goto" : "jump";
    }

    /** The live ruleset of the family without counters and with only the chains the kernel has, as the tracer reads it. */
    public static SourcedRuleset parse(Netns netns, Family family, HostNames names) {
        return parse(new Iptables(netns, family).saveOfExistingChains(), family, names);
    }

    /** The live ruleset as {@code iptables-save} printed it, refused when a rule cannot be modelled. */
    public static SourcedRuleset parse(String saved, Family family, HostNames names) {
        try {
            return new RulesetParser(StandardExtensions.registry(), family, names).parseWithLines(saved);
        } catch (RulesetSyntaxException e) {
            throw new Failure(Failure.Category.INPUT, "the live ruleset has a rule Rampart cannot model (line "
                    + e.line() + "): " + e.getMessage());
        }
    }

    /** Where each rule of the file's chains was written: the next unused file rule with the same text. */
    private static final class SourceLines {
        private final Optional<DesiredState.DesiredTable> table;
        private final Map<String, Integer> used = new HashMap<>();

        SourceLines(Optional<DesiredState.DesiredTable> table) {
            this.table = table;
        }

        String sourceOf(String chain, String text) {
            if (table.isEmpty()) {
                return null;
            }
            List<DesiredState.DesiredRule> rules = table.get().rulesOf(chain);
            for (int i = used.getOrDefault(chain, 0); i < rules.size(); i++) {
                if (rules.get(i).line().equals(text)) {
                    used.put(chain, i + 1);
                    return rules.get(i).source();
                }
            }
            return null;
        }
    }
}
