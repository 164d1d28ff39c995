package io.rampart.reconcile;

import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Policy;
import io.rampart.model.Table;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.TableRules;
import io.rampart.reconcile.Bookkeeping.Records;
import io.rampart.reconcile.Bookkeeping.SharedBlock;
import io.rampart.reconcile.DesiredState.DesiredRule;
import io.rampart.reconcile.DesiredState.DesiredTable;
import io.rampart.reconcile.LiveState.LiveTable;
import io.rampart.reconcile.Plan.Action;
import io.rampart.reconcile.Plan.ChainChange;
import io.rampart.reconcile.Plan.RuleChange;
import io.rampart.syntax.RestoreScript;
import io.rampart.syntax.RestoreScript.Append;
import io.rampart.syntax.RestoreScript.Command;
import io.rampart.syntax.RestoreScript.DeleteAt;
import io.rampart.syntax.RestoreScript.DeleteChain;
import io.rampart.syntax.RestoreScript.DeleteRule;
import io.rampart.syntax.RestoreScript.Flush;
import io.rampart.syntax.RestoreScript.Insert;
import io.rampart.syntax.RestoreScript.Replace;
import io.rampart.syntax.RestoreScript.SetPolicy;
import io.rampart.syntax.RulesetPrinter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compares what a file asks for with what the kernel holds and plans the smallest change: rules
 * replaced, inserted and deleted by position in the chains the file owns whole, new chains made,
 * chains Rampart made earlier and the file no longer declares removed. In chains other programs
 * write too (shared built-in chains, and chains the file does not declare, which lose only their
 * jumps to a chain being removed) nothing goes by position: rules are deleted by their text and a
 * block is inserted at the head or appended at the tail, so the script means the same whatever
 * those programs did to the chain since the kernel was read.
 */
public final class Planner {

    private final ExtensionRegistry registry;
    /** One per family, kept: it remembers the records it read, which a long-lived caller reads again and again. */
    private final Map<Family, Bookkeeping> bookkeeping = new ConcurrentHashMap<>();

    public Planner(ExtensionRegistry registry) {
        this.registry = registry;
    }

    public Plan plan(DesiredState desired, LiveState live) throws PlanException {
        return plan(desired, live, KernelView.Scope.ALL);
    }

    /**
     * A plan of the chains {@code scope} covers, the others known to hold what a plan would leave
     * (see {@link KernelView}); Rampart's records and the chains it removes are planned in full
     * either way, as they hang on every declaration. A scope of no chain plans nothing.
     */
    Plan plan(DesiredState desired, LiveState live, KernelView.Scope scope) throws PlanException {
        if (scope.isNothing()) {
            return new Plan(desired.family(), desired.source(), List.of(), "", List.of(), live.warnings());
        }
        Bookkeeping bookkeeping = this.bookkeeping.computeIfAbsent(desired.family(),
                family -> new Bookkeeping(registry, family).remembering());
        List<ChainChange> changes = new ArrayList<>();
        RestoreScript.Builder script = new RestoreScript.Builder();
        Set<Table> tables = EnumSet.noneOf(Table.class);
        tables.addAll(desired.tables().keySet());
        live.tables().stream().filter(t -> t.has(Bookkeeping.CHAIN)).forEach(t -> tables.add(t.table()));
        for (Table table : RulesetPrinter.SAVE_ORDER) {
            if (tables.contains(table)) {
                DesiredTable want = desired.table(table).orElse(new DesiredTable(table, List.of(), Map.of()));
                LiveTable have = live.table(table).orElse(new LiveTable(table, Map.of(), Map.of()));
                planTable(want, have, scope, bookkeeping, changes, script);
            }
        }
        RestoreScript restore = script.build();
        return new Plan(desired.family(), desired.source(), changes, restore.text(), restore.sources(), live.warnings());
    }

    private void planTable(DesiredTable want, LiveTable have, KernelView.Scope scope, Bookkeeping bookkeeping,
                           List<ChainChange> changes, RestoreScript.Builder script) throws PlanException {
        Table table = want.table();
        List<Chain> planned = scope.only().map(only -> only.stream().filter(chain -> chain.table() == table)
                .flatMap(chain -> want.chain(chain.chain()).stream()).toList()).orElse(want.chains());
        if (scope.rulesOnly() && planned.stream().allMatch(chain -> chain.sharing() == Chain.Sharing.WHOLE)) {
            planRulesOnly(want, have, planned, changes, script);
            return;
        }
        if (want.declares(Bookkeeping.CHAIN)) {
            throw new PlanException("chain " + Bookkeeping.CHAIN + " is Rampart's own bookkeeping; name yours otherwise");
        }
        for (Chain chain : want.chains()) {
            if (chain.name().startsWith(StageNames.PREFIX)) {
                throw new PlanException("chain " + chain.name() + ": names starting with " + StageNames.PREFIX
                        + " belong to staged rulesets; name yours otherwise");
            }
        }
        Records recorded = have.has(Bookkeeping.CHAIN) ? bookkeeping.recorded(have) : Records.NONE;
        Set<String> declaredUser = new TreeSet<>();
        // Built-in chains owned whole are recorded too, so that `switch' knows which rules to move into a stage.
        Set<String> declaredWhole = new TreeSet<>();
        Map<String, SharedBlock> shared = new LinkedHashMap<>();
        for (Chain chain : want.chains()) {
            if (!table.isBuiltinChain(chain.name())) {
                declaredUser.add(chain.name());
                declaredWhole.add(chain.name());
            } else if (chain.sharing() != Chain.Sharing.WHOLE) {
                shared.put(chain.name(), new SharedBlock(chain.sharing(), want.rulesOf(chain.name()).stream()
                        .map(r -> Bookkeeping.fingerprint(r.line())).toList()));
            } else {
                declaredWhole.add(chain.name());
            }
        }
        Set<String> removed = new TreeSet<>(recorded.chains());
        removed.removeAll(declaredUser);
        removed.removeIf(chain -> !have.has(chain) || table.isBuiltinChain(chain));
        // Staged rulesets keep their records here; apply neither reads nor drops them.
        List<String> stageRecords = have.has(Bookkeeping.CHAIN)
                ? bookkeeping.stageRecords(have).stream().map(Bookkeeping.SavedRecord::line).toList() : List.of();

        List<ChainChange> tableChanges = new ArrayList<>();
        List<Command> body = new ArrayList<>();
        List<String> created = new ArrayList<>();
        for (Chain chain : RulesetPrinter.chainsInSaveOrder(new TableRules(table, planned, List.of()))) {
            want.chain(chain.name()).ifPresent(declared ->
                    planChain(table, declared, want, have, recorded, tableChanges, body, created));
        }
        Set<String> released = releaseBlocks(table, want, have, recorded, removed, tableChanges, body);
        Set<String> settled = new HashSet<>(want.byName().keySet());
        settled.addAll(released);
        unlinkAndRemove(table, have, removed, settled, tableChanges, body);

        Records wanted = new Records(declaredWhole, shared);
        boolean bookkeepingChanges = !wanted.equals(recorded)
                || (wanted.isEmpty() && stageRecords.isEmpty() && have.has(Bookkeeping.CHAIN));
        if (tableChanges.isEmpty() && !bookkeepingChanges) {
            return;
        }
        changes.addAll(tableChanges);
        RestoreScript.TableBuilder section = script.table(table.label())
                .holding(have.rules().values().stream().mapToLong(List::size).sum());
        created.forEach(section::declare);
        if (bookkeepingChanges) {
            // Declaring a user chain in a --noflush restore empties it: the records are written anew.
            section.declare(Bookkeeping.CHAIN);
            if (wanted.isEmpty() && stageRecords.isEmpty()) {
                section.add(new DeleteChain(Bookkeeping.CHAIN, null));
            } else {
                bookkeeping.lines(wanted).forEach(line -> section.add(new Append(line, null)));
                stageRecords.forEach(line -> section.add(new Append(line, null)));
            }
        }
        body.forEach(section::add);
    }

    /**
     * Plans only the rules of {@code planned}, chains owned whole whose declarations, and so
     * Rampart's records and the chains it removes, are as the last sync left them (see
     * {@link KernelView.Scope#rulesOnly}): 10,000 chains' records need not be read for a rule.
     */
    private static void planRulesOnly(DesiredTable want, LiveTable have, List<Chain> planned,
                                      List<ChainChange> changes, RestoreScript.Builder script) {
        Table table = want.table();
        List<ChainChange> tableChanges = new ArrayList<>();
        List<Command> body = new ArrayList<>();
        List<String> created = new ArrayList<>();
        // The save order lists built-in chains the file may not declare: those are not planned.
        for (Chain chain : RulesetPrinter.chainsInSaveOrder(new TableRules(table, planned, List.of()))) {
            want.chain(chain.name()).ifPresent(declared ->
                    planChain(table, declared, want, have, Records.NONE, tableChanges, body, created));
        }
        if (tableChanges.isEmpty()) {
            return;
        }
        changes.addAll(tableChanges);
        RestoreScript.TableBuilder section = script.table(table.label())
                .holding(have.rules().values().stream().mapToLong(List::size).sum());
        created.forEach(section::declare);
        body.forEach(section::add);
    }

    /** Plans one chain the file declares: created whole, or edited towards the file's rules. */
    private static void planChain(Table table, Chain declared, DesiredTable want, LiveTable have, Records recorded,
                                  List<ChainChange> changes, List<Command> body, List<String> created) {
        String name = declared.name();
        boolean builtin = table.isBuiltinChain(name);
        if (!builtin && !have.has(name)) {
            created.add(name);
            changes.add(new ChainChange(table, name, Action.CREATE, null, null,
                    appendAll(want.rulesOf(name), body)));
            return;
        }
        Policy before = builtin ? have.policyOf(name) : null;
        Policy after = builtin ? declared.policy() : null;
        boolean policyChanges = after != null && after != before;
        if (policyChanges) {
            body.add(new SetPolicy(name, after, null));
        }
        List<RuleChange> ruleChanges = declared.sharing() == Chain.Sharing.WHOLE
                ? diff(name, have.rulesOf(name), want.rulesOf(name), body)
                : placeBlock(name, declared.sharing(), want.rulesOf(name), have, recorded, body);
        if (!ruleChanges.isEmpty() || policyChanges) {
            changes.add(new ChainChange(table, name, Action.UPDATE, before, after, ruleChanges));
        }
    }

    /**
     * Puts the file's block into a shared chain without a position read from the kernel: unless
     * the block stands in place already, Rampart's rules in the chain (the recorded block, and the
     * hooks of a staged ruleset, as the file takes the chain back) are deleted by their text, and
     * the block is inserted at the head (each rule at 1, the last first) or appended at the tail.
     */
    private static List<RuleChange> placeBlock(String chain, Chain.Sharing where, List<DesiredRule> block,
                                               LiveTable have, Records recorded, List<Command> body) {
        List<String> rules = have.rulesOf(chain);
        boolean[] ours = rampartsIn(have, recorded, chain);
        List<String> live = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            if (ours[i]) {
                live.add(rules.get(i));
            }
        }
        List<String> wanted = block.stream().map(DesiredRule::line).toList();
        int from = where == Chain.Sharing.HEAD ? 0 : rules.size() - wanted.size();
        boolean inPlace = live.equals(wanted) && from >= 0
                && rules.subList(from, from + wanted.size()).equals(wanted);
        if (inPlace) {
            return List.of();
        }
        List<RuleChange> changes = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            if (ours[i]) {
                body.add(new DeleteRule(rules.get(i), null));
                changes.add(new RuleChange(RuleChange.Kind.REMOVED, i + 1, rules.get(i), null,
                        wanted.contains(rules.get(i)), null));
            }
        }
        int foreign = rules.size() - live.size();
        for (int i = 0; i < block.size(); i++) {
            DesiredRule rule = block.get(i);
            int position = where == Chain.Sharing.HEAD ? i + 1 : foreign + i + 1;
            changes.add(new RuleChange(RuleChange.Kind.ADDED, position, rule.line(), null, live.contains(rule.line()),
                    rule.source()));
        }
        if (where == Chain.Sharing.HEAD) {
            for (int i = block.size() - 1; i >= 0; i--) {
                body.add(new Insert(block.get(i).line(), 1, block.get(i).source()));
            }
        } else {
            block.forEach(rule -> body.add(new Append(rule.line(), rule.source())));
        }
        return changes;
    }

    /**
     * Takes Rampart's block out of each built-in chain the file no longer shares nor declares, and
     * with it any jump to a chain being removed; returns those chains, which need no other unlinking.
     */
    private static Set<String> releaseBlocks(Table table, DesiredTable want, LiveTable have, Records recorded,
                                             Set<String> removed, List<ChainChange> changes, List<Command> body) {
        Set<String> released = new HashSet<>();
        for (String chain : recorded.shared().keySet()) {
            if (!want.declares(chain)) {
                released.add(chain);
                List<String> rules = have.rulesOf(chain);
                boolean[] ours = rampartsIn(have, recorded, chain);
                List<RuleChange> ruleChanges = new ArrayList<>();
                for (int i = 0; i < rules.size(); i++) {
                    if (ours[i] || jumpTarget(rules.get(i)).filter(removed::contains).isPresent()) {
                        body.add(new DeleteRule(rules.get(i), null));
                        ruleChanges.add(new RuleChange(RuleChange.Kind.REMOVED, i + 1, rules.get(i), null, false, null));
                    }
                }
                if (!ruleChanges.isEmpty()) {
                    changes.add(new ChainChange(table, chain, Action.UPDATE, null, null, ruleChanges));
                }
            }
        }
        return released;
    }

    /**
     * Which rules of a live chain are Rampart's: the block it recorded putting there and the hooks
     * of staged rulesets. Other tools own the rest.
     */
    private static boolean[] rampartsIn(LiveTable have, Records recorded, String chain) {
        List<String> rules = have.rulesOf(chain);
        boolean[] ours = Bookkeeping.inBlock(rules, recorded.shared().get(chain));
        for (int i = 0; i < rules.size(); i++) {
            ours[i] |= StageNames.hookedStage(rules.get(i), chain).isPresent();
        }
        return ours;
    }

    private static List<RuleChange> appendAll(List<DesiredRule> rules, List<Command> body) {
        List<RuleChange> changes = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            DesiredRule rule = rules.get(i);
            body.add(new Append(rule.line(), rule.source()));
            changes.add(new RuleChange(RuleChange.Kind.ADDED, i + 1, rule.line(), null, false, rule.source()));
        }
        return changes;
    }

    private static List<RuleChange> diff(String chain, List<String> live, List<DesiredRule> desired,
                                         List<Command> body) {
        List<String> wanted = desired.stream().map(DesiredRule::line).toList();
        List<LineDiff.Edit> edits = LineDiff.edits(live, wanted);
        Set<String> added = new HashSet<>();
        Set<String> removed = new HashSet<>();
        for (LineDiff.Edit edit : edits) {
            if (edit.fromIndex() >= 0) {
                removed.add(live.get(edit.fromIndex()));
            }
            if (edit.toIndex() >= 0) {
                added.add(wanted.get(edit.toIndex()));
            }
        }
        List<RuleChange> changes = new ArrayList<>();
        for (LineDiff.Edit edit : edits) {
            switch (edit.kind()) {
                case DELETE -> {
                    String rule = live.get(edit.fromIndex());
                    changes.add(new RuleChange(RuleChange.Kind.REMOVED, edit.position(), rule, null,
                            added.contains(rule), null));
                }
                case INSERT -> {
                    DesiredRule rule = desired.get(edit.toIndex());
                    changes.add(new RuleChange(RuleChange.Kind.ADDED, edit.position(), rule.line(), null,
                            removed.contains(rule.line()), rule.source()));
                }
                case REPLACE -> {
                    DesiredRule rule = desired.get(edit.toIndex());
                    changes.add(new RuleChange(RuleChange.Kind.REPLACED, edit.position(), rule.line(),
                            live.get(edit.fromIndex()), false, rule.source()));
                }
            }
        }
        editCommands(chain, live.size(), desired, edits, body);
        return changes;
    }

    /**
     * The commands of a chain's edits, in the forms iptables-nft carries out without fetching rules
     * where one gives the same chain: any command that names a rule by its number or text (-D, -R,
     * -I at 2 or later) makes iptables-nft fetch the rules of the table's built-in chains as well as
     * the chain's (at 100,000 rules, INPUT's 10,000 jumps: 2.9 MB and about 35 ms), while -A, -I at
     * 1 and -F need the chains alone. So insertions at the tail are appended, those at the head
     * inserted at 1 last first, and a chain that keeps none of its rules is flushed and filled anew:
     * none of its counters survive either way. A chain that keeps a rule is never flushed, so the
     * rules it keeps keep their counters. On legacy iptables every form costs the same (the whole
     * table is read and written).
     */
    private static void editCommands(String chain, int liveSize, List<DesiredRule> desired, List<LineDiff.Edit> edits,
                                     List<Command> body) {
        long kept = liveSize - edits.stream().filter(edit -> edit.fromIndex() >= 0).count();
        if (liveSize > 0 && kept == 0) {
            body.add(new Flush(chain, null));
            desired.forEach(rule -> body.add(new Append(rule.line(), rule.source())));
            return;
        }
        int size = liveSize;
        for (int e = 0; e < edits.size(); e++) {
            LineDiff.Edit edit = edits.get(e);
            switch (edit.kind()) {
                case DELETE -> {
                    body.add(new DeleteAt(chain, edit.position(), null));
                    size--;
                }
                case REPLACE -> {
                    DesiredRule rule = desired.get(edit.toIndex());
                    body.add(new Replace(rule.line(), edit.position(), rule.source()));
                }
                case INSERT -> {
                    // A run of insertions at consecutive positions, from edit e to edit end - 1.
                    int end = e + 1;
                    while (end < edits.size() && edits.get(end).kind() == LineDiff.Edit.Kind.INSERT
                            && edits.get(end).position() == edit.position() + (end - e)) {
                        end++;
                    }
                    List<DesiredRule> run = edits.subList(e, end).stream().map(i -> desired.get(i.toIndex())).toList();
                    if (edit.position() == size + 1) {
                        run.forEach(rule -> body.add(new Append(rule.line(), rule.source())));
                    } else if (edit.position() == 1) {
                        for (int i = run.size() - 1; i >= 0; i--) {
                            body.add(new Insert(run.get(i).line(), 1, run.get(i).source()));
                        }
                    } else {
                        for (int i = 0; i < run.size(); i++) {
                            body.add(new Insert(run.get(i).line(), edit.position() + i, run.get(i).source()));
                        }
                    }
                    size += run.size();
                    e = end - 1;
                }
            }
        }
    }

    /**
     * Removes chains Rampart made that the file no longer declares: first the jumps to them from
     * chains the file does not manage (by their text: those chains are others'), then their rules,
     * then the chains.
     */
    private static void unlinkAndRemove(Table table, LiveTable have, Set<String> removed, Set<String> managed,
                                        List<ChainChange> changes, List<Command> body) {
        if (removed.isEmpty()) {
            return;
        }
        for (String chain : have.chains().keySet()) {
            if (managed.contains(chain) || removed.contains(chain) || chain.equals(Bookkeeping.CHAIN)) {
                continue;
            }
            List<String> rules = have.rulesOf(chain);
            List<RuleChange> unlinked = new ArrayList<>();
            for (int i = 0; i < rules.size(); i++) {
                if (jumpTarget(rules.get(i)).filter(removed::contains).isPresent()) {
                    body.add(new DeleteRule(rules.get(i), null));
                    unlinked.add(new RuleChange(RuleChange.Kind.REMOVED, i + 1, rules.get(i), null, false, null));
                }
            }
            if (!unlinked.isEmpty()) {
                changes.add(new ChainChange(table, chain, Action.UNLINK, null, null, unlinked));
            }
        }
        for (String chain : removed) {
            body.add(new Flush(chain, null));
            List<RuleChange> gone = new ArrayList<>();
            List<String> rules = have.rulesOf(chain);
            for (int i = 0; i < rules.size(); i++) {
                gone.add(new RuleChange(RuleChange.Kind.REMOVED, i + 1, rules.get(i), null, false, null));
            }
            changes.add(new ChainChange(table, chain, Action.REMOVE, null, null, gone));
        }
        removed.forEach(chain -> body.add(new DeleteChain(chain, null)));
    }

    /** The user chain a saved rule jumps or goes to: its last two words are {@code -j NAME} or {@code -g NAME}. */
    static java.util.Optional<String> jumpTarget(String savedLine) {
        String[] words = savedLine.split(" ");
        if (words.length >= 2 && (words[words.length - 2].equals("-j") || words[words.length - 2].equals("-g"))) {
            return java.util.Optional.of(words[words.length - 1]);
        }
        return java.util.Optional.empty();
    }
}
