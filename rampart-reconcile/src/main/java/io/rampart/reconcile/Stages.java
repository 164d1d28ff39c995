package io.rampart.reconcile;

import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Policy;
import io.rampart.model.Rule;
import io.rampart.model.Table;
import io.rampart.model.Target;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.HostNames;
import io.rampart.reconcile.Bookkeeping.Records;
import io.rampart.reconcile.Bookkeeping.SavedRecord;
import io.rampart.reconcile.DesiredState.DesiredRule;
import io.rampart.reconcile.DesiredState.DesiredTable;
import io.rampart.reconcile.LiveState.LiveTable;
import io.rampart.reconcile.StageRecord.Hooked;
import io.rampart.syntax.RestoreRefusal;
import io.rampart.syntax.RestoreScript;
import io.rampart.syntax.RestoreScript.Append;
import io.rampart.syntax.RestoreScript.Command;
import io.rampart.syntax.RestoreScript.DeleteChain;
import io.rampart.syntax.RestoreScript.DeleteRule;
import io.rampart.syntax.RestoreScript.Insert;
import io.rampart.syntax.RestoreScript.SetPolicy;
import io.rampart.syntax.RuleParser;
import io.rampart.syntax.RulePrinter;
import io.rampart.syntax.RuleSyntaxException;
import io.rampart.syntax.RulesetPrinter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Several rulesets loaded at once, one of them live. {@link #stage} loads a ruleset into chains of
 * its own (see {@link StageNames}) that no packet reaches; {@link #switchTo} makes one live by
 * putting a single hook rule per built-in chain in place of the previous stage's hooks, and setting
 * the stage's policies, in one iptables-restore: on nf_tables the whole input is one transaction,
 * so every packet sees either the old ruleset or the new one. The stage that was live stays
 * loaded, so switching back costs the same.
 *
 * <p>The first switch of a family, while no stage is live, moves what {@code apply} put into the
 * built-in chains (the chains a file owned whole and the blocks of shared chains, with the user
 * chains Rampart manages) into a stage of its own, named {@value #DEFAULT_PREVIOUS} unless told
 * otherwise, together with the policies of the built-in chains it or the new stage has; switching
 * to that stage brings the old ruleset back. Rules of other tools stay where they are, in order.
 *
 * <p>Everything is kept in the kernel: each table's bookkeeping chain holds a {@link StageRecord}
 * per stage, and a stage is live where its hooks are.
 */
public final class Stages {

    public static final String DEFAULT_PREVIOUS = "previous";

    private final Xtables xtables;
    private final ExtensionRegistry registry;
    private final HostNames names;

    /** Stages on {@code xtables}; rules, which are renamed into a stage's chains, are read with {@code names}. */
    public Stages(Xtables xtables, ExtensionRegistry registry, HostNames names) {
        this.xtables = xtables;
        this.registry = registry;
        this.names = names;
    }

    /**
     * What a command did.
     *
     * @param captured for a switch that moved the previous ruleset into a stage, that stage's name
     * @param chains   the stage chains written (created or refilled), as the kernel names them
     * @param written  whether the kernel was changed at all
     */
    public record Change(Family family, String stage, String captured, List<String> chains, int rules,
                          boolean written, Duration took) {

        public Change {
            chains = List.copyOf(chains);
        }
    }

    /** One stage's chains and rules in one table, and the record that describes it. */
    private record Content(Table table, Map<String, List<String>> chains, StageRecord record) {

        int rules() {
            return chains.values().stream().mapToInt(List::size).sum();
        }
    }

    /**
     * Loads {@code desired} as stage {@code name}, replacing the stage's chains if it exists. A live
     * stage changes at once; its new file must then have the same built-in chains.
     */
    public Change stage(String name, DesiredState desired) throws PlanException, ApplyException {
        try (Xtables.Hold held = xtables.hold(desired.family())) {
            return restage(name, desired);
        }
    }

    private Change restage(String name, DesiredState desired) throws PlanException, ApplyException {
        long start = System.nanoTime();
        StageNames.check(name);
        Family family = desired.family();
        LiveState live = LiveState.parse(xtables.save(family));
        Bookkeeping bookkeeping = new Bookkeeping(registry, family);
        Map<Table, Content> contents = fromFile(name, desired);
        if (contents.isEmpty()) {
            throw new PlanException(desired.source() + ": no table to stage");
        }
        boolean isLive = liveStages(live).contains(name);
        Set<Table> tables = new TreeSet<>(contents.keySet());
        tables.addAll(tablesOf(name, live, bookkeeping));
        if (isLive) {
            checkSameHooks(name, live, contents, tables);
        }
        RestoreScript.Builder script = new RestoreScript.Builder();
        List<String> written = new ArrayList<>();
        for (Table table : RulesetPrinter.SAVE_ORDER) {
            if (tables.contains(table)) {
                LiveTable have = liveTable(live, table);
                Content content = contents.get(table);
                TableEdit section = new TableEdit(script.table(table.label()));
                restage(section, have, name, content, bookkeeping);
                if (isLive && content != null) {
                    setPolicies(section, have, content.record());
                }
                section.finish();
                if (content != null) {
                    written.addAll(content.chains().keySet());
                }
            }
        }
        restore(family, script.build());
        int rules = contents.values().stream().mapToInt(Content::rules).sum();
        return new Change(family, name, null, written, rules, true, since(start));
    }

    /**
     * Makes stage {@code name} the live ruleset of {@code family}. When no stage is live yet, what
     * apply put into the built-in chains first moves into stage {@code previous}.
     */
    public Change switchTo(Family family, String name, String previous) throws PlanException, ApplyException {
        try (Xtables.Hold held = xtables.hold(family)) {
            return switchHeld(family, name, previous);
        }
    }

    private Change switchHeld(Family family, String name, String previous) throws PlanException, ApplyException {
        long start = System.nanoTime();
        StageNames.check(name);
        StageNames.check(previous);
        LiveState live = LiveState.parse(xtables.save(family));
        Bookkeeping bookkeeping = new Bookkeeping(registry, family);
        Map<Table, StageRecord> target = recordsOf(name, live, bookkeeping);
        if (target.isEmpty()) {
            throw new PlanException("no stage `" + name + "' (`rampart stages' lists them)");
        }
        Set<String> liveNow = liveStages(live);
        Map<Table, Content> captured = Map.of();
        Map<Table, Map<String, boolean[]>> moved = Map.of();
        if (liveNow.isEmpty()) {
            if (previous.equals(name)) {
                throw new PlanException("switching to `" + name + "' moves the live ruleset into a stage of that"
                        + " same name; give it another with --previous NAME");
            }
            moved = applied(live, bookkeeping, target.keySet());
            captured = capture(family, previous, live, bookkeeping, moved, target);
        }
        Set<Table> tables = new TreeSet<>(target.keySet());
        tables.addAll(moved.keySet());
        live.tables().stream().filter(Stages::hasHooks).forEach(t -> tables.add(t.table()));
        if (liveNow.isEmpty()) {
            tables.addAll(tablesOf(previous, live, bookkeeping));
        }
        RestoreScript.Builder script = new RestoreScript.Builder();
        List<String> written = new ArrayList<>();
        boolean changes = false;
        for (Table table : RulesetPrinter.SAVE_ORDER) {
            if (tables.contains(table)) {
                LiveTable have = liveTable(live, table);
                TableEdit section = new TableEdit(script.table(table.label()));
                if (liveNow.isEmpty()) {
                    Content content = captured.get(table);
                    restage(section, have, previous, content, bookkeeping);
                    if (content != null) {
                        written.addAll(content.chains().keySet());
                    }
                }
                StageRecord record = target.get(table);
                if (record != null) {
                    setPolicies(section, have, record);
                }
                hook(section, have, name, record, moved.getOrDefault(table, Map.of()));
                section.finish();
                changes |= !section.isEmpty();
            }
        }
        if (changes) {
            restore(family, script.build());
        }
        int rules = captured.values().stream().mapToInt(Content::rules).sum();
        return new Change(family, name, liveNow.isEmpty() ? previous : null, written, rules, changes,
                since(start));
    }

    /** Removes stage {@code name}: its chains and records. The live stage cannot be removed. */
    public Change unstage(Family family, String name) throws PlanException, ApplyException {
        try (Xtables.Hold held = xtables.hold(family)) {
            return unstageHeld(family, name);
        }
    }

    private Change unstageHeld(Family family, String name) throws PlanException, ApplyException {
        long start = System.nanoTime();
        StageNames.check(name);
        LiveState live = LiveState.parse(xtables.save(family));
        Bookkeeping bookkeeping = new Bookkeeping(registry, family);
        Set<Table> tables = new TreeSet<>(tablesOf(name, live, bookkeeping));
        if (tables.isEmpty()) {
            throw new PlanException("no stage `" + name + "' (`rampart stages' lists them)");
        }
        if (liveStages(live).contains(name)) {
            throw new PlanException("stage `" + name + "' is live: switch to another stage first");
        }
        RestoreScript.Builder script = new RestoreScript.Builder();
        for (Table table : RulesetPrinter.SAVE_ORDER) {
            if (tables.contains(table)) {
                TableEdit section = new TableEdit(script.table(table.label()));
                restage(section, liveTable(live, table), name, null, bookkeeping);
                section.finish();
            }
        }
        restore(family, script.build());
        return new Change(family, name, null, List.of(), 0, true, since(start));
    }

    /** Every stage of the family with its chains and the counters of its hooks, from one iptables-save -c. */
    public List<StageListing.Stage> list(Family family) {
        return StageListing.read(xtables.saveWithCounters(family), registry, family);
    }

    // ---- building stage contents

    /** The file's chains under the stage's names, with jumps between them renamed alike. */
    private Map<Table, Content> fromFile(String name, DesiredState desired) throws PlanException {
        RuleParser parser = new RuleParser(registry, desired.family(), names);
        RulePrinter printer = new RulePrinter(registry, desired.family());
        Map<Table, Content> contents = new EnumMap<>(Table.class);
        for (DesiredTable want : desired.tables().values()) {
            Table table = want.table();
            Map<String, String> names = new LinkedHashMap<>();
            want.chains().forEach(c -> names.put(c.name(), StageNames.chain(name, c.name())));
            checkDistinct(table, names);
            Map<String, List<String>> chains = new LinkedHashMap<>();
            Map<String, Hooked> builtins = new LinkedHashMap<>();
            for (Chain chain : want.chains()) {
                List<String> lines = new ArrayList<>();
                for (DesiredRule rule : want.rulesOf(chain.name())) {
                    lines.addAll(renamed(rule.line(), table, names, parser, printer));
                }
                chains.put(names.get(chain.name()), lines);
                if (table.isBuiltinChain(chain.name())) {
                    builtins.put(chain.name(),
                            new Hooked(chain.policy(), chain.sharing() == Chain.Sharing.TAIL));
                }
            }
            contents.put(table, new Content(table, chains, new StageRecord(name, builtins)));
        }
        return contents;
    }

    /** Two chains of a file must not share a kernel name (only hashed long names could). */
    private static void checkDistinct(Table table, Map<String, String> names) throws PlanException {
        Map<String, String> seen = new LinkedHashMap<>();
        for (var entry : names.entrySet()) {
            String other = seen.putIfAbsent(entry.getValue(), entry.getKey());
            if (other != null) {
                throw new PlanException(table.label() + ": chains " + other + " and " + entry.getKey()
                        + " would both be staged as " + entry.getValue() + "; rename one");
            }
        }
    }

    /** A canonical rule line moved into the stage's chain, its jump renamed when it targets one of the stage's chains. */
    private static List<String> renamed(String line, Table table, Map<String, String> names, RuleParser parser,
                                        RulePrinter printer) throws PlanException {
        List<String> lines = new ArrayList<>();
        try {
            for (Rule rule : parser.parseLine(line, table)) {
                Target target = rule.target();
                if (target != null && names.containsKey(target.name()) && parser.jumpsToUserChain(rule)) {
                    target = new Target(names.get(target.name()), target.kind(), target.options());
                }
                lines.add(printer.print(new Rule(names.get(rule.chain()), rule.header(), rule.matches(), target)));
            }
        } catch (RuleSyntaxException e) {
            throw new PlanException(table.label() + ": cannot read the rule `" + line + "': " + e.getMessage());
        }
        return lines;
    }

    /**
     * Which rules of each built-in chain apply put there, per table: the whole chain when a file
     * owned it whole, the recorded block when it shared it. Only tables Rampart manages or the new
     * stage hooks.
     */
    private static Map<Table, Map<String, boolean[]>> applied(LiveState live, Bookkeeping bookkeeping,
                                                               Set<Table> hooked) {
        Map<Table, Map<String, boolean[]>> applied = new EnumMap<>(Table.class);
        for (LiveTable have : live.tables()) {
            if (!have.has(Bookkeeping.CHAIN) && !hooked.contains(have.table())) {
                continue;
            }
            Records records = have.has(Bookkeeping.CHAIN) ? bookkeeping.recorded(have) : Records.NONE;
            Map<String, boolean[]> owned = new LinkedHashMap<>();
            for (String builtin : have.table().builtinChains()) {
                List<String> rules = have.rulesOf(builtin);
                boolean[] ours = Bookkeeping.inBlock(rules, records.shared().get(builtin));
                if (records.chains().contains(builtin)) {
                    java.util.Arrays.fill(ours, true);
                }
                owned.put(builtin, ours);
            }
            applied.put(have.table(), owned);
        }
        return applied;
    }

    /**
     * The stage that holds what apply put into the built-in chains: those rules and the user
     * chains Rampart manages, renamed, and the policy of each built-in chain it or the new stage has.
     */
    private Map<Table, Content> capture(Family family, String previous, LiveState live, Bookkeeping bookkeeping,
                                        Map<Table, Map<String, boolean[]>> applied, Map<Table, StageRecord> target)
            throws PlanException {
        RuleParser parser = new RuleParser(registry, family, names);
        RulePrinter printer = new RulePrinter(registry, family);
        Map<Table, Content> contents = new EnumMap<>(Table.class);
        for (var entry : applied.entrySet()) {
            Table table = entry.getKey();
            LiveTable have = liveTable(live, table);
            Records records = have.has(Bookkeeping.CHAIN) ? bookkeeping.recorded(have) : Records.NONE;
            StageRecord incoming = target.get(table);
            Map<String, String> names = new LinkedHashMap<>();
            Map<String, Hooked> builtins = new LinkedHashMap<>();
            for (var owned : entry.getValue().entrySet()) {
                String builtin = owned.getKey();
                boolean any = false;
                for (boolean ours : owned.getValue()) {
                    any |= ours;
                }
                if (any || (incoming != null && incoming.builtins().containsKey(builtin))) {
                    names.put(builtin, StageNames.chain(previous, builtin));
                    var shared = records.shared().get(builtin);
                    builtins.put(builtin, new Hooked(have.policyOf(builtin),
                            shared != null && shared.where() == Chain.Sharing.TAIL));
                }
            }
            records.chains().stream().filter(c -> !table.isBuiltinChain(c) && have.has(c))
                    .forEach(c -> names.put(c, StageNames.chain(previous, c)));
            if (names.isEmpty()) {
                continue;
            }
            checkDistinct(table, names);
            Map<String, List<String>> chains = new LinkedHashMap<>();
            for (String chain : names.keySet()) {
                List<String> rules = have.rulesOf(chain);
                boolean[] ours = entry.getValue().get(chain);
                List<String> lines = new ArrayList<>();
                for (int i = 0; i < rules.size(); i++) {
                    if (ours == null || ours[i]) {
                        lines.addAll(renamed(rules.get(i), table, names, parser, printer));
                    }
                }
                chains.put(names.get(chain), lines);
            }
            contents.put(table, new Content(table, chains, new StageRecord(previous, builtins)));
        }
        return contents;
    }

    // ---- writing

    /**
     * Replaces stage {@code name} in one table by {@code content} (none: removes it there): its
     * chains are declared, which empties them under --noflush, refilled, and the ones it no longer
     * has deleted; its record in the bookkeeping chain is rewritten.
     */
    private static void restage(TableEdit section, LiveTable have, String name, Content content,
                                Bookkeeping bookkeeping) {
        String prefix = StageNames.prefix(name);
        Set<String> old = new LinkedHashSet<>();
        have.chains().keySet().stream().filter(c -> c.startsWith(prefix)).forEach(old::add);
        Map<String, List<String>> fresh = content == null ? Map.of() : content.chains();
        fresh.keySet().forEach(c -> section.declare(c));
        old.stream().filter(c -> !fresh.containsKey(c)).forEach(section::declare);
        fresh.values().forEach(lines -> lines.forEach(line -> section.body(new Append(line, null))));
        old.stream().filter(c -> !fresh.containsKey(c)).forEach(c -> section.delete(new DeleteChain(c, null)));

        List<String> before = have.rulesOf(Bookkeeping.CHAIN);
        List<String> after = new ArrayList<>(before);
        if (have.has(Bookkeeping.CHAIN)) {
            for (SavedRecord record : bookkeeping.stageRecords(have)) {
                if (StageRecord.parse(record.comment()).filter(r -> r.name().equals(name)).isPresent()) {
                    after.remove(record.line());
                }
            }
        }
        if (content != null) {
            after.add(bookkeeping.line(content.record().comment()));
        }
        if (after.equals(before)) {
            return;
        }
        section.declare(Bookkeeping.CHAIN);
        after.forEach(line -> section.body(new Append(line, null)));
        if (after.isEmpty()) {
            section.delete(new DeleteChain(Bookkeeping.CHAIN, null));
        }
    }

    /** The stage's policies, where they differ from the live ones. */
    private static void setPolicies(TableEdit section, LiveTable have, StageRecord record) {
        record.builtins().forEach((builtin, hooked) -> {
            Policy policy = hooked.policy();
            if (policy != null && policy != have.policyOf(builtin)) {
                section.body(new SetPolicy(builtin, policy, null));
            }
        });
    }

    /**
     * Puts the hooks of stage {@code name} (none when {@code record} is null) in place of every
     * stage's hooks and of the rules apply put there ({@code moved}), keeping every other rule where
     * it is: those are deleted by their text and the hook inserted at the chain's head, or appended
     * at its tail for a stage that shares it so, as other programs may write the chain meanwhile.
     */
    private static void hook(TableEdit section, LiveTable have, String name, StageRecord record,
                             Map<String, boolean[]> moved) {
        for (String builtin : have.table().builtinChains()) {
            List<String> rules = have.rulesOf(builtin);
            boolean[] ours = moved.getOrDefault(builtin, new boolean[rules.size()]).clone();
            List<String> mine = new ArrayList<>();
            for (int i = 0; i < rules.size(); i++) {
                ours[i] |= StageNames.hookedStage(rules.get(i), builtin).isPresent();
                if (ours[i]) {
                    mine.add(rules.get(i));
                }
            }
            Hooked hooked = record == null ? null : record.builtins().get(builtin);
            String wanted = hooked == null ? null : StageNames.hook(builtin, name);
            boolean inPlace = wanted == null ? mine.isEmpty() : mine.equals(List.of(wanted))
                    && rules.get(hooked.tail() ? rules.size() - 1 : 0).equals(wanted);
            if (inPlace) {
                continue;
            }
            mine.forEach(rule -> section.body(new DeleteRule(rule, null)));
            if (wanted != null) {
                section.body(hooked.tail() ? new Append(wanted, null) : new Insert(wanted, 1, null));
            }
        }
    }

    private void restore(Family family, RestoreScript script) throws ApplyException {
        Xtables.RestoreResult result = xtables.restore(family, script.text());
        if (!result.ok()) {
            throw new ApplyException(RestoreRefusal.of(result.message()).explain(script));
        }
    }

    // ---- reading

    /** Stages hooked anywhere in the family. */
    static Set<String> liveStages(LiveState live) {
        Set<String> stages = new TreeSet<>();
        for (LiveTable have : live.tables()) {
            for (String builtin : have.table().builtinChains()) {
                have.rulesOf(builtin).forEach(l -> StageNames.hookedStage(l, builtin).ifPresent(stages::add));
            }
        }
        return stages;
    }

    private static boolean hasHooks(LiveTable have) {
        return have.table().builtinChains().stream()
                .anyMatch(b -> have.rulesOf(b).stream().anyMatch(l -> StageNames.hookedStage(l, b).isPresent()));
    }

    /** The records of stage {@code name}, per table. */
    static Map<Table, StageRecord> recordsOf(String name, LiveState live, Bookkeeping bookkeeping) {
        Map<Table, StageRecord> records = new EnumMap<>(Table.class);
        for (LiveTable have : live.tables()) {
            if (have.has(Bookkeeping.CHAIN)) {
                for (SavedRecord saved : bookkeeping.stageRecords(have)) {
                    StageRecord.parse(saved.comment()).filter(r -> r.name().equals(name))
                            .ifPresent(r -> records.put(have.table(), r));
                }
            }
        }
        return records;
    }

    /** The tables where stage {@code name} has a record or chains. */
    private static Set<Table> tablesOf(String name, LiveState live, Bookkeeping bookkeeping) {
        Set<Table> tables = new TreeSet<>(recordsOf(name, live, bookkeeping).keySet());
        String prefix = StageNames.prefix(name);
        live.tables().stream().filter(t -> t.chains().keySet().stream().anyMatch(c -> c.startsWith(prefix)))
                .forEach(t -> tables.add(t.table()));
        return tables;
    }

    /** A live stage keeps its hooks while restaged, so its new file must hook the same built-in chains. */
    private static void checkSameHooks(String name, LiveState live, Map<Table, Content> contents, Set<Table> tables)
            throws PlanException {
        for (Table table : tables) {
            LiveTable have = liveTable(live, table);
            Set<String> hookedNow = new TreeSet<>();
            for (String builtin : table.builtinChains()) {
                if (have.rulesOf(builtin).stream().anyMatch(l -> StageNames.hookedStage(l, builtin)
                        .filter(name::equals).isPresent())) {
                    hookedNow.add(builtin);
                }
            }
            Content content = contents.get(table);
            Set<String> hookedNext = content == null ? Set.of() : new TreeSet<>(content.record().builtins().keySet());
            if (!hookedNow.equals(hookedNext)) {
                throw new PlanException("stage `" + name + "' is live with hooks in " + table.label() + " "
                        + hookedNow + "; its new file has " + hookedNext + ": switch to another stage first");
            }
        }
    }

    private static LiveTable liveTable(LiveState live, Table table) {
        return live.table(table).orElse(new LiveTable(table, Map.of(), Map.of()));
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** One table's part of the restore script: chain declarations, then commands, then the chains removed. */
    private static final class TableEdit {
        private final RestoreScript.TableBuilder table;
        private final List<Command> deletions = new ArrayList<>();

        TableEdit(RestoreScript.TableBuilder table) {
            this.table = table;
        }

        void declare(String chain) {
            table.declare(chain);
        }

        void body(Command command) {
            table.add(command);
        }

        void delete(Command command) {
            deletions.add(command);
        }

        /** Puts the removals after everything else: a chain goes once nothing jumps to it any more. */
        void finish() {
            deletions.forEach(table::add);
            deletions.clear();
        }

        boolean isEmpty() {
            return table.isEmpty();
        }
    }
}
