package io.rampart.reconcile;

import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Policy;
import io.rampart.model.Table;
import io.rampart.reconcile.LiveState.LiveTable;
import io.rampart.syntax.RestoreScript;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's rules of one family, kept in memory by a long-lived writer such as the agent, so
 * that a sync does not dump the whole kernel. Whoever watches the kernel says which chains changed
 * ({@link #changed}), or that it cannot say ({@link #uncertain}); the next {@link #current} lists
 * those chains again one by one ({@link Xtables#listChain}), or reads everything when it has to:
 * at first, after {@link #uncertain}, when many chains changed at once, when a chain cannot be
 * listed (it is gone, or its table is new), and whenever a write did not go as planned.
 *
 * <p>A watcher that also says where each of the kernel's transactions ends and which process made
 * it ({@link #committed}; the owner declares it with {@link #attributing}) lets the view tell its
 * owner's writes from others': it then takes what the owner wrote from the script, as
 * {@link io.rampart.syntax.KernelModel} works it out, instead of listing it, and drops the marks of
 * that transaction. Every other transaction's marks stand, so another program's write is listed,
 * also one that came between the owner's read and its write.
 *
 * <p>The view also keeps what lets a plan cover only some chains ({@link #scope}). <b>Invariant:</b>
 * while {@code syncedTo} is set, every chain not in {@code listedSinceSync} holds what a plan of
 * {@code syncedTo} leaves unchanged. What could break it (a full read, an uncertain change, a write
 * that failed or did not land as planned) clears {@code syncedTo}, and the next plan covers all.
 *
 * <p>Marks may come from any thread; reading and the state it returns belong to one thread, the
 * writer's.
 */
public final class KernelView {

    /** More changed chains than this are read with one iptables-save: a process per chain costs more. */
    static final int CHAINS_LISTED_ONE_BY_ONE = 16;
    /** Ended transactions kept while their process may yet turn out to be the owner's. */
    static final int UNATTRIBUTED_KEPT = 64;
    /** The owner's last writing processes, for transactions whose end is seen after its write returned. */
    static final int OWN_WRITERS_KEPT = 16;
    /**
     * How long the view waits for the end of the owner's write while the watcher hears nothing: the
     * end of a write's transaction comes within milliseconds of the write, once the lines before
     * it are told. A watcher still telling a big write's lines (110,000 of a first apply take nft
     * seconds) is waited for as long as it keeps telling them, up to {@link #OWN_END_PATIENCE}.
     */
    static final Duration OWN_END_QUIET = Duration.ofMillis(200);
    static final Duration OWN_END_PATIENCE = Duration.ofSeconds(60);

    private final Xtables xtables;
    private final Family family;
    private final long ownEndQuietNanos;
    private final Set<TableChain> stale = new HashSet<>();
    /** The handles of rules others deleted, by chain, in the order told, where nothing else changed the chain. */
    private final Map<TableChain, List<Long>> staleDeletions = new HashMap<>();
    private boolean wholeStale = true;
    /** The marks of the transaction whose end has not been seen yet. */
    private Marks open = new Marks();
    /** Ended transactions by their process, that may yet turn out to be the owner's. */
    private final Map<Long, Marks> unattributed = new LinkedHashMap<>();
    private final Deque<Long> ownWriters = new ArrayDeque<>();
    /** The owner's writes that returned but whose transaction's end the watcher has not told yet. */
    private final Set<Long> ownEndsAwaited = new HashSet<>();
    /** The processes of the last transactions whose end the watcher told, whoever made them. */
    private final Set<Long> endsHeard = new LinkedHashSet<>();
    /** When the watcher last told something, or the owner's last write returned. */
    private long lastHeard = System.nanoTime();
    private boolean attributing;
    private Map<Table, LiveTable> tables = new EnumMap<>(Table.class);
    private List<String> warnings = List.of();
    private DesiredState syncedTo;
    private final Set<TableChain> listedSinceSync = new HashSet<>();
    private long fullReads;
    private long chainsListed;
    private long deletionsTaken;
    private long ownWritesTaken;
    /**
     * The kernel's handles of the rules of chains the view holds rule by rule, index by index:
     * paired when such a chain was listed, and again after the owner wrote it. Whatever could make
     * a pairing wrong (a change of the chain between the two listings, or before the owner's write)
     * is heard as a change of the chain and lists it again, which pairs it anew.
     */
    private final Map<TableChain, List<Long>> handles = new HashMap<>();

    /** A chain of a table. */
    record TableChain(Table table, String chain) {
    }

    /** What one transaction marked: chains, rules deleted by their handles, or something no chain names. */
    private static final class Marks {
        private final Set<TableChain> chains = new HashSet<>();
        private final Map<TableChain, List<Long>> deleted = new HashMap<>();
        private boolean uncertain;

        boolean isEmpty() {
            return chains.isEmpty() && deleted.isEmpty() && !uncertain;
        }

        void addAll(Marks other) {
            chains.addAll(other.chains);
            other.deleted.forEach((chain, gone) -> deleted.computeIfAbsent(chain, c -> new ArrayList<>()).addAll(gone));
            uncertain |= other.uncertain;
        }
    }

    KernelView(Xtables xtables, Family family) {
        this(xtables, family, OWN_END_QUIET);
    }

    /** A view that waits {@code ownEndQuiet} of silence for the end of the owner's write. */
    KernelView(Xtables xtables, Family family, Duration ownEndQuiet) {
        this.xtables = xtables;
        this.family = family;
        this.ownEndQuietNanos = ownEndQuiet.toNanos();
    }

    /**
     * The kernel changed {@code chain} of {@code table} (its rules, its policy, or the chain itself),
     * in the transaction the next {@link #committed} ends.
     */
    public synchronized void changed(Table table, String chain) {
        open.chains.add(new TableChain(table, chain));
        lastHeard = System.nanoTime();
    }

    /**
     * The kernel deleted the rule with {@code handle} from {@code chain} of {@code table}, in the
     * transaction the next {@link #committed} ends. Where the view paired the chain's rules with
     * their handles, and nothing else changed the chain, the next {@link #current} takes that rule
     * out without listing the chain, once the handles the kernel lists (a cheaper listing) are
     * those it paired without the deleted ones.
     */
    public synchronized void deleted(Table table, String chain, long handle) {
        open.deleted.computeIfAbsent(new TableChain(table, chain), c -> new ArrayList<>()).add(handle);
        lastHeard = System.nanoTime();
    }

    /**
     * The kernel changed, in the transaction the next {@link #committed} ends, in a way no chain
     * names: unless that transaction is the owner's, the next {@link #current} reads everything.
     */
    public synchronized void changedSomewhere() {
        open.uncertain = true;
        lastHeard = System.nanoTime();
    }

    /**
     * A transaction ended, made by {@code process} where the watcher can tell. The marks since the
     * last end are dropped when it was the owner's write, and stand otherwise; returns whether
     * they stand, so that the owner looks at the kernel again.
     */
    public synchronized boolean committed(OptionalLong process) {
        Marks ended = open;
        open = new Marks();
        lastHeard = System.nanoTime();
        if (process.isEmpty()) {
            ownEndsAwaited.clear(); // the watcher cannot tell whose a transaction is: nothing to wait for
        } else {
            endsHeard.add(process.getAsLong());
            if (endsHeard.size() > UNATTRIBUTED_KEPT) {
                endsHeard.remove(endsHeard.iterator().next());
            }
            if (ownEndsAwaited.remove(process.getAsLong())) {
                notifyAll();
            }
        }
        if (ended.isEmpty()) {
            return false;
        }
        if (process.isEmpty()) {
            standAsOthers(ended);
            return true;
        }
        long pid = process.getAsLong();
        if (ownWriters.contains(pid)) {
            return false;
        }
        unattributed.computeIfAbsent(pid, p -> new Marks()).addAll(ended);
        if (unattributed.size() > UNATTRIBUTED_KEPT) {
            Long oldest = unattributed.keySet().iterator().next();
            standAsOthers(unattributed.remove(oldest));
        }
        return true;
    }

    /** The kernel changed in a way no one can attribute (events were lost): the next {@link #current} reads everything. */
    public synchronized void uncertain() {
        wholeStale = true;
        syncedTo = null;
        ownEndsAwaited.clear();
        notifyAll();
    }

    /**
     * Declares that the owner reports the end of every transaction with its process
     * ({@link #committed}): from now on the reconciler's writes are taken from their scripts.
     */
    public synchronized void attributing() {
        attributing = true;
    }

    synchronized boolean attributes() {
        return attributing;
    }

    /** How often the whole kernel was read so far. */
    public synchronized long fullReads() {
        return fullReads;
    }

    /** How many chains were listed one by one so far. */
    public synchronized long chainsListed() {
        return chainsListed;
    }

    /** How many chains' rules deleted by others were taken out by their handles, the chains not listed. */
    public synchronized long deletionsTaken() {
        return deletionsTaken;
    }

    /** How many of the owner's writes were taken from their scripts, with nothing read. */
    public synchronized long ownWritesTaken() {
        return ownWritesTaken;
    }

    /** Marks that count as another program's. */
    private void standAsOthers(Marks marks) {
        stale.addAll(marks.chains);
        marks.deleted.forEach((chain, gone) -> staleDeletions.computeIfAbsent(chain, c -> new ArrayList<>()).addAll(gone));
        wholeStale |= marks.uncertain;
    }

    /**
     * What the kernel holds now, as far as the marks say: what changed is read again first. The
     * state stays valid until the next call on this view. Transactions not known to be the owner's
     * count as others' here: the owner's write returned, and said its process, before it plans again.
     */
    public LiveState current() {
        Set<TableChain> read;
        Map<TableChain, List<Long>> deletions;
        boolean whole;
        synchronized (this) {
            awaitOwnEnds();
            standAsOthers(open);
            open = new Marks();
            unattributed.values().forEach(this::standAsOthers);
            unattributed.clear();
            read = Set.copyOf(stale);
            deletions = new HashMap<>(staleDeletions);
            whole = wholeStale;
            stale.clear();
            staleDeletions.clear();
            wholeStale = false;
        }
        try {
            if (whole || !follow(read, deletions)) {
                readAll();
            }
        } catch (RuntimeException e) {
            uncertain(); // nothing was learnt for sure: the next call starts again
            throw e;
        }
        return held();
    }

    /**
     * Waits until the watcher told the end of each of the owner's writes that returned, so that the
     * lines of such a write, told before its end, are not taken for another program's change (which
     * the next sync would list, or read whole for a write of many chains, as a first apply is). Gives
     * up once the watcher has been quiet for {@link #OWN_END_QUIET}, or after
     * {@link #OWN_END_PATIENCE}: then those lines count as others', as they did before.
     */
    synchronized void awaitOwnEnds() {
        long giveUp = System.nanoTime() + OWN_END_PATIENCE.toNanos();
        try {
            while (!ownEndsAwaited.isEmpty()) {
                long now = System.nanoTime();
                long quietLeft = lastHeard + ownEndQuietNanos - now;
                if (quietLeft <= 0 || now >= giveUp) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(quietLeft, giveUp - now));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ownEndsAwaited.clear();
    }

    /** The state as last read, without reading anything. */
    LiveState held() {
        return LiveState.of(tables, warnings);
    }

    /** Lists {@code chains} again now, after a write of one's own; returns the state. */
    LiveState reread(Set<TableChain> chains) {
        try {
            if (!list(chains, false)) {
                readAll();
            }
        } catch (RuntimeException e) {
            uncertain();
            throw e;
        }
        return held();
    }

    /** Reads everything now. */
    LiveState readAll() {
        LiveState saved = LiveState.parse(xtables.save(family));
        Map<Table, LiveTable> read = new EnumMap<>(Table.class);
        // Maps of its own: chains listed later are put into them.
        saved.tables().forEach(t -> read.put(t.table(),
                new LiveTable(t.table(), new LinkedHashMap<>(t.chains()), new LinkedHashMap<>(t.rules()))));
        synchronized (this) {
            fullReads++;
            syncedTo = null;
        }
        handles.clear();
        tables = read;
        warnings = saved.warnings();
        return held();
    }

    /**
     * Which chains a plan of {@code desired} must cover: all of them, unless the view was brought
     * to a desired state since its last full read; then the chains listed since, and those whose
     * rules or declaration differ between that state and {@code desired}.
     */
    Scope scope(DesiredState desired) {
        DesiredState synced;
        long reads;
        synchronized (this) {
            synced = syncedTo;
            reads = fullReads;
        }
        if (synced == null) {
            return new Scope(Optional.empty(), false, reads);
        }
        Set<TableChain> chains = new HashSet<>(listedSinceSync);
        DesiredChanges.Kind kind = DesiredChanges.between(synced, desired, chains);
        if (kind == DesiredChanges.Kind.NOT_BY_CHAINS) {
            return new Scope(Optional.empty(), false, reads);
        }
        boolean recordsListed = listedSinceSync.stream().anyMatch(chain -> chain.chain().equals(Bookkeeping.CHAIN));
        return new Scope(Optional.of(chains), kind == DesiredChanges.Kind.RULES && !recordsListed, reads);
    }

    /**
     * The chains a plan covers: all, or only these.
     *
     * @param rulesOnly       the chains differ in their rules alone, declared as at the last sync, and
     *                        Rampart's records were not listed since: they hold what that sync left
     * @param fullReadsBefore the view's full reads when the scope was taken; none for a plan on a dump
     */
    record Scope(Optional<Set<TableChain>> only, boolean rulesOnly, long fullReadsBefore) {
        static final Scope ALL = new Scope(Optional.empty(), false, -1);

        boolean isNothing() {
            return only.isPresent() && only.get().isEmpty();
        }
    }

    /**
     * The kernel now holds what a plan of {@code desired} on the view leaves unchanged, in every
     * chain the plan covered; with the invariant, in every chain. Kept only when no full read came
     * between: that read may have brought changes of chains the plan did not look at.
     */
    void synced(DesiredState desired, Scope planned) {
        synchronized (this) {
            syncedTo = planned.fullReadsBefore() == fullReads ? desired : null;
        }
        listedSinceSync.clear();
    }

    /**
     * The owner's write by {@code process} landed: the marks of its transaction are dropped, as
     * the owner takes what it wrote into the view itself ({@link #take}, or by listing).
     */
    synchronized void wroteBy(long process) {
        ownWriters.addLast(process);
        if (ownWriters.size() > OWN_WRITERS_KEPT) {
            ownWriters.removeFirst();
        }
        lastHeard = System.nanoTime();
        unattributed.remove(process);
        if (attributing && !endsHeard.contains(process) && ownEndsAwaited.size() < OWN_WRITERS_KEPT) {
            ownEndsAwaited.add(process); // its end is still to come
        }
    }

    /**
     * Takes {@code chains} from {@code after}, what the owner's write left as worked out on the
     * view; false, taking nothing, when a table of the write is one the view does not hold.
     */
    boolean take(LiveState after, Set<TableChain> chains) {
        for (TableChain written : chains) {
            if (!tables.containsKey(written.table()) || after.table(written.table()).isEmpty()) {
                return false;
            }
        }
        for (TableChain written : chains) {
            LiveTable table = tables.get(written.table());
            LiveTable left = after.table(written.table()).orElseThrow();
            String chain = written.chain();
            if (left.has(chain)) {
                table.chains().put(chain, left.chains().get(chain));
            } else {
                table.chains().remove(chain);
            }
            List<String> rules = left.rulesOf(chain);
            if (rules.isEmpty()) {
                table.rules().remove(chain);
            } else {
                table.rules().put(chain, new ArrayList<>(rules));
            }
            if (handles.remove(written) != null) {
                pairHandles(written, rules.size()); // a chain repaired once is likely to be again
            }
        }
        synchronized (this) {
            ownWritesTaken++;
        }
        return true;
    }

    /** Pairs the chain's rules as the view holds them with the handles the kernel lists, when as many. */
    private void pairHandles(TableChain chain, int rules) {
        xtables.ruleHandles(family, chain.table(), chain.chain()).filter(listed -> listed.size() == rules)
                .ifPresent(listed -> handles.put(chain, new ArrayList<>(listed)));
    }

    /**
     * Brings what others changed into the view: the chains {@code changed} names are listed, and
     * those others only deleted rules from are taken out by their handles where that is certain,
     * else listed too; false when that cannot be done with certainty, so everything must be read.
     */
    private boolean follow(Set<TableChain> changed, Map<TableChain, List<Long>> deletions) {
        Set<TableChain> listed = new HashSet<>(changed);
        deletions.forEach((chain, gone) -> {
            if (!changed.contains(chain) && !takeDeletions(chain, gone)) {
                listed.add(chain);
            }
        });
        return list(listed, true);
    }

    /**
     * Takes the rules with the handles {@code gone} out of the chain, without listing its rules:
     * only when the view paired the chain's rules with their handles, those handles include every
     * one gone, and the kernel now lists exactly the others, in their order. False otherwise.
     */
    private boolean takeDeletions(TableChain chain, List<Long> gone) {
        List<Long> paired = handles.remove(chain);
        LiveTable table = tables.get(chain.table());
        if (paired == null || table == null || paired.size() != table.rulesOf(chain.chain()).size()
                || new HashSet<>(gone).size() != gone.size() || !paired.containsAll(gone)) {
            return false;
        }
        List<Long> left = new ArrayList<>(paired);
        left.removeAll(gone);
        Optional<List<Long>> now = xtables.ruleHandles(family, chain.table(), chain.chain());
        if (now.isEmpty() || !now.get().equals(left)) {
            return false;
        }
        List<String> rules = new ArrayList<>(table.rulesOf(chain.chain()));
        for (int i = paired.size() - 1; i >= 0; i--) {
            if (gone.contains(paired.get(i))) {
                rules.remove(i);
            }
        }
        if (rules.isEmpty()) {
            table.rules().remove(chain.chain());
        } else {
            table.rules().put(chain.chain(), rules);
        }
        handles.put(chain, left);
        listedSinceSync.add(chain);
        synchronized (this) {
            deletionsTaken++;
        }
        return true;
    }

    /**
     * Lists each chain alone; false when that cannot be done with certainty, so everything must be read.
     *
     * @param pair whether to pair each chain's rules with their handles (another program changed it)
     */
    private boolean list(Set<TableChain> chains, boolean pair) {
        if (chains.size() > CHAINS_LISTED_ONE_BY_ONE) {
            return false;
        }
        for (TableChain changed : chains) {
            LiveTable table = tables.get(changed.table());
            if (table == null) {
                return false; // a table the view has not seen: iptables lists built-in chains of tables that do not exist
            }
            handles.remove(changed);
            Optional<String> listed = xtables.listChain(family, changed.table(), changed.chain());
            if (listed.isEmpty() || !take(table, changed.chain(), listed.get())) {
                return false;
            }
            if (pair) {
                pairHandles(changed, table.rulesOf(changed.chain()).size());
            }
            listedSinceSync.add(changed);
            synchronized (this) {
                chainsListed++;
            }
        }
        return true;
    }

    /** Puts one chain's listing into the table; false when the listing is not that chain's. */
    private static boolean take(LiveTable table, String chain, String listing) {
        Chain declared = null;
        List<String> rules = new ArrayList<>();
        String prefix = "-A " + chain + " ";
        for (String line : listing.split("\n")) {
            if (line.startsWith("-P " + chain + " ") && declared == null) {
                declared = new Chain(chain, Policy.valueOf(line.substring(4 + chain.length())));
            } else if (line.equals("-N " + chain) && declared == null) {
                declared = Chain.user(chain);
            } else if (line.startsWith(prefix) && declared != null) {
                rules.add(line);
            } else if (!line.isEmpty()) {
                return false;
            }
        }
        if (declared == null) {
            return false;
        }
        table.chains().put(chain, declared);
        if (rules.isEmpty()) {
            table.rules().remove(chain);
        } else {
            table.rules().put(chain, rules);
        }
        return true;
    }

    /** The chains each table of a restore script names. */
    static Set<TableChain> chainsNamed(RestoreScript script) {
        Set<TableChain> named = new HashSet<>();
        Table table = null;
        for (RestoreScript.Line line : script.lines()) {
            if (line instanceof RestoreScript.TableStart start) {
                table = Table.byLabel(start.label()).orElse(null);
            } else if (table != null && line instanceof RestoreScript.Command command) {
                named.add(new TableChain(table, command.chain()));
            }
        }
        return named;
    }

    /**
     * The view as iptables-save text with only the chains a script naming {@code chains} needs:
     * those, with their rules, and declared without rules the built-in chains and the chains their
     * rules, or the script's, jump to. Enough to work out what that script leaves on the chains it
     * names, at a cost that does not grow with the 10,000 chains a table may hold.
     */
    String textFor(Set<TableChain> chains, RestoreScript script) {
        Map<Table, Set<String>> needed = new EnumMap<>(Table.class);
        chains.forEach(named -> {
            Set<String> table = needed.computeIfAbsent(named.table(), t -> new HashSet<>());
            table.add(named.chain());
            Optional.ofNullable(tables.get(named.table())).ifPresent(live -> live.rulesOf(named.chain())
                    .forEach(rule -> Planner.jumpTarget(rule).ifPresent(table::add)));
        });
        Table current = null;
        for (RestoreScript.Line line : script.lines()) {
            if (line instanceof RestoreScript.TableStart start) {
                current = Table.byLabel(start.label()).orElse(null);
            } else if (current != null && line instanceof RestoreScript.RuleCommand command) {
                Planner.jumpTarget(command.rule()).ifPresent(needed.computeIfAbsent(current, t -> new HashSet<>())::add);
            }
        }
        StringBuilder text = new StringBuilder();
        for (LiveTable table : tables.values()) {
            Set<String> wanted = needed.getOrDefault(table.table(), Set.of());
            text.append('*').append(table.table().label()).append('\n');
            table.chains().values().stream()
                    .filter(chain -> table.table().isBuiltinChain(chain.name()) || wanted.contains(chain.name()))
                    .forEach(chain -> text.append(':').append(chain.name()).append(' ')
                            .append(chain.policy() == null ? "-" : chain.policy().name()).append(" [0:0]\n"));
            for (TableChain named : chains) {
                if (named.table() == table.table()) {
                    table.rulesOf(named.chain()).forEach(rule -> text.append(rule).append('\n'));
                }
            }
            text.append("COMMIT\n");
        }
        return text.toString();
    }
}
