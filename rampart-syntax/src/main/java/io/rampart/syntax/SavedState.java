package io.rampart.syntax;

import io.rampart.model.Policy;
import io.rampart.model.Table;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * What {@code iptables-save} printed (with or without {@code -c}), read once: tables, their chains
 * (built-in ones with policy and counters, user chains) and each chain's rules, all in the order the
 * kernel printed them. Rules stay the kernel's text, which is their canonical text: comparing rules is
 * comparing strings, and rules of extensions Rampart does not know are kept as they are. Parsing a rule
 * is left to those who need its options ({@link RuleParser}).
 */
public final class SavedState {

    private static final String WARNING = "# Warning: ";

    /** What a chain's policy or a rule counted; present only in {@code iptables-save -c} text. */
    public record Counters(long packets, long bytes) {

        public static final Counters ZERO = new Counters(0, 0);

        /** {@code [packets:bytes]}, as the save text and the restore text write them. */
        @Override
        public String toString() {
            return "[" + packets + ":" + bytes + "]";
        }
    }

    /**
     * A chain line, {@code :NAME POLICY [packets:bytes]}.
     *
     * @param policy   the policy of a built-in chain; null for a user chain ({@code -})
     * @param counters what the policy counted (zero for user chains and when the text had none)
     */
    public record SavedChain(String name, Policy policy, Counters counters) {
    }

    /** One {@code *table ... COMMIT} section. */
    public static final class SavedTable {
        private final String label;
        private final Table table;
        private final Map<String, SavedChain> chains = new LinkedHashMap<>();
        private final Map<String, List<String>> rules = new LinkedHashMap<>();
        private final Map<String, List<Counters>> counters = new LinkedHashMap<>();

        SavedTable(String label) {
            this.label = label;
            this.table = Table.byLabel(label).orElse(null);
        }

        /** The table's name as printed. */
        public String label() {
            return label;
        }

        /** The table, unless its name is none Rampart knows. */
        public Optional<Table> table() {
            return Optional.ofNullable(table);
        }

        /** The chains by name, in the order their lines came. */
        public Map<String, SavedChain> chains() {
            return Collections.unmodifiableMap(chains);
        }

        public boolean has(String chain) {
            return chains.containsKey(chain);
        }

        /** Each chain's rule lines ({@code -A CHAIN ...}, without counters), in order. */
        public Map<String, List<String>> rules() {
            return Collections.unmodifiableMap(rules);
        }

        public List<String> rulesOf(String chain) {
            return rules.getOrDefault(chain, List.of());
        }

        /** What each rule of {@code chain} counted, one per rule; empty when the text had no counters. */
        public List<Counters> countersOf(String chain) {
            return counters.getOrDefault(chain, List.of());
        }

        void declare(SavedChain chain) {
            chains.put(chain.name(), chain);
        }

        void add(String chain, String rule, Counters counted) {
            rules.computeIfAbsent(chain, c -> new ArrayList<>()).add(rule);
            if (counted != null) {
                counters.computeIfAbsent(chain, c -> new ArrayList<>()).add(counted);
            }
        }
    }

    private final Map<String, SavedTable> tables;
    private final List<String> warnings;

    SavedState(Map<String, SavedTable> tables, List<String> warnings) {
        this.tables = tables;
        this.warnings = List.copyOf(warnings);
    }

    /** Reads iptables-save text; lines it does not know (comments, blank lines) are passed over. */
    public static SavedState parse(String saved) {
        Map<String, SavedTable> tables = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        SavedTable current = null;
        int length = saved.length();
        for (int start = 0; start < length; ) {
            int end = saved.indexOf('\n', start);
            if (end < 0) {
                end = length;
            }
            String line = saved.substring(start, end);
            start = end + 1;
            if (line.isEmpty()) {
                continue;
            }
            char first = line.charAt(0);
            if (first == '-' || first == '[') {
                if (current != null) {
                    addRule(current, line);
                }
            } else if (first == ':') {
                if (current != null) {
                    current.declare(chain(line));
                }
            } else if (first == '*') {
                String label = line.substring(1).strip();
                current = tables.computeIfAbsent(label, SavedTable::new);
            } else if (line.startsWith(WARNING)) {
                // iptables-nft says so when iptables-legacy tables exist too: rules Rampart cannot see.
                warnings.add(line.substring(WARNING.length()));
            } else if (line.equals("COMMIT")) {
                current = null;
            }
        }
        return new SavedState(tables, warnings);
    }

    private static void addRule(SavedTable table, String line) {
        Counters counted = null;
        if (line.charAt(0) == '[') {
            int close = line.indexOf("] ");
            if (close < 0) {
                return;
            }
            counted = counters(line.substring(1, close));
            line = line.substring(close + 2);
        }
        if (line.startsWith("-A ")) {
            table.add(chainOf(line), line, counted);
        }
    }

    /** The chain a rule line {@code -A CHAIN ...} is in. */
    public static String chainOf(String ruleLine) {
        int end = ruleLine.indexOf(' ', 3);
        return end < 0 ? ruleLine.substring(3) : ruleLine.substring(3, end);
    }

    private static SavedChain chain(String line) {
        String[] fields = line.substring(1).split(" ");
        Policy policy = fields.length > 1 && !fields[1].equals("-") ? Policy.valueOf(fields[1]) : null;
        Counters counted = fields.length > 2 && fields[2].startsWith("[") && fields[2].endsWith("]")
                ? counters(fields[2].substring(1, fields[2].length() - 1)) : null;
        return new SavedChain(fields[0], policy, counted == null ? Counters.ZERO : counted);
    }

    private static Counters counters(String packetsColonBytes) {
        int colon = packetsColonBytes.indexOf(':');
        return new Counters(Long.parseLong(packetsColonBytes.substring(0, colon)),
                Long.parseLong(packetsColonBytes.substring(colon + 1)));
    }

    /** The same state with only the chains {@code keep} accepts (given a table's label and a chain), and their rules. */
    public SavedState withChains(BiPredicate<String, String> keep) {
        Map<String, SavedTable> kept = new LinkedHashMap<>();
        for (SavedTable table : tables.values()) {
            SavedTable copy = new SavedTable(table.label);
            for (SavedChain chain : table.chains.values()) {
                if (keep.test(table.label, chain.name())) {
                    copy.declare(chain);
                    List<String> rules = table.rulesOf(chain.name());
                    List<Counters> counted = table.countersOf(chain.name());
                    for (int i = 0; i < rules.size(); i++) {
                        copy.add(chain.name(), rules.get(i), i < counted.size() ? counted.get(i) : null);
                    }
                }
            }
            kept.put(table.label, copy);
        }
        return new SavedState(kept, warnings);
    }

    /**
     * The tables as iptables-save without {@code -c} prints them, less its comment lines and with
     * every policy counter zero: text that stays the same while the rules and policies do.
     */
    public String withoutCounters() {
        StringBuilder out = new StringBuilder();
        for (SavedTable table : tables.values()) {
            out.append('*').append(table.label).append('\n');
            for (SavedChain chain : table.chains.values()) {
                out.append(':').append(chain.name()).append(' ')
                        .append(chain.policy() == null ? "-" : chain.policy().name()).append(" [0:0]\n");
            }
            for (String chain : table.chains.keySet()) {
                table.rulesOf(chain).forEach(rule -> out.append(rule).append('\n'));
            }
            out.append("COMMIT\n");
        }
        return out.toString();
    }

    /** What iptables-save warned about, such as rules held by the other iptables backend. */
    public List<String> warnings() {
        return warnings;
    }

    /** Every table, known or not, in the order printed. */
    public List<SavedTable> tables() {
        return List.copyOf(tables.values());
    }

    public Optional<SavedTable> table(Table table) {
        return Optional.ofNullable(tables.get(table.label()));
    }

    public Optional<SavedTable> table(String label) {
        return Optional.ofNullable(tables.get(label));
    }
}
