package io.rampart.reconcile;

import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Policy;
import io.rampart.model.Table;
import io.rampart.reconcile.LiveState.LiveTable;
import io.rampart.syntax.RestoreScript;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The kernel's rules of one family, kept in memory by a long-lived writer such as the agent, so
 * that a sync does not dump the whole kernel. Whoever watches the kernel says which chains changed
 * ({@link #changed}), or that it cannot say ({@link #uncertain}); the next {@link #current} lists
 * those chains again one by one ({@link Xtables#listChain}), or reads everything when it has to:
 * at first, after {@link #uncertain}, when many chains changed at once, when a chain cannot be
 * listed (it is gone, or its table is new), and whenever a write did not go as planned.
 *
 * <p>Marks may come from any thread; reading and the state it returns belong to one thread, the
 * writer's.
 */
public final class KernelView {

    /** More changed chains than this are read with one iptables-save: a process per chain costs more. */
    static final int CHAINS_LISTED_ONE_BY_ONE = 16;

    private final Xtables xtables;
    private final Family family;
    private final Set<TableChain> stale = new HashSet<>();
    private boolean wholeStale = true;
    private Map<Table, LiveTable> tables = new EnumMap<>(Table.class);
    private List<String> warnings = List.of();
    private long fullReads;
    private long chainsListed;

    /** A chain of a table. */
    record TableChain(Table table, String chain) {
    }

    KernelView(Xtables xtables, Family family) {
        this.xtables = xtables;
        this.family = family;
    }

    /** The kernel changed {@code chain} of {@code table} (its rules, its policy, or the chain itself). */
    public synchronized void changed(Table table, String chain) {
        stale.add(new TableChain(table, chain));
    }

    /** The kernel changed in a way no chain names: the next {@link #current} reads everything. */
    public synchronized void uncertain() {
        wholeStale = true;
    }

    /** How often the whole kernel was read so far. */
    public synchronized long fullReads() {
        return fullReads;
    }

    /** How many chains were listed one by one so far. */
    public synchronized long chainsListed() {
        return chainsListed;
    }

    /**
     * What the kernel holds now, as far as the marks say: what changed is read again first. The
     * state stays valid until the next call on this view.
     */
    public LiveState current() {
        Set<TableChain> read;
        boolean whole;
        synchronized (this) {
            read = Set.copyOf(stale);
            whole = wholeStale;
            stale.clear();
            wholeStale = false;
        }
        try {
            if (whole || !list(read)) {
                readAll();
            }
        } catch (RuntimeException e) {
            uncertain(); // nothing was learnt for sure: the next call starts again
            throw e;
        }
        return held();
    }

    /** The state as last read, without reading anything. */
    LiveState held() {
        return LiveState.of(tables, warnings);
    }

    /** Lists {@code chains} again now, after a write of one's own; returns the state. */
    LiveState reread(Set<TableChain> chains) {
        try {
            if (!list(chains)) {
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
        }
        tables = read;
        warnings = saved.warnings();
        return held();
    }

    /** Lists each chain alone; false when that cannot be done with certainty, so everything must be read. */
    private boolean list(Set<TableChain> chains) {
        if (chains.size() > CHAINS_LISTED_ONE_BY_ONE) {
            return false;
        }
        for (TableChain changed : chains) {
            LiveTable table = tables.get(changed.table());
            if (table == null) {
                return false; // a table the view has not seen: iptables lists built-in chains of tables that do not exist
            }
            Optional<String> listed = xtables.listChain(family, changed.table(), changed.chain());
            if (listed.isEmpty() || !take(table, changed.chain(), listed.get())) {
                return false;
            }
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
     * The view as iptables-save text with only the rules of {@code chains} (every chain declared):
     * enough to work out what a script naming only those chains leaves.
     */
    String textWithRulesOf(Set<TableChain> chains) {
        StringBuilder text = new StringBuilder();
        for (LiveTable table : tables.values()) {
            text.append('*').append(table.table().label()).append('\n');
            table.chains().values().forEach(chain -> text.append(':').append(chain.name()).append(' ')
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
