package io.rampart.syntax;

import io.rampart.model.Policy;
import io.rampart.model.Table;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RestoreScript.Append;
import io.rampart.syntax.RestoreScript.Command;
import io.rampart.syntax.RestoreScript.Commit;
import io.rampart.syntax.RestoreScript.DeclareChain;
import io.rampart.syntax.RestoreScript.DeleteAt;
import io.rampart.syntax.RestoreScript.DeleteChain;
import io.rampart.syntax.RestoreScript.DeleteRule;
import io.rampart.syntax.RestoreScript.Flush;
import io.rampart.syntax.RestoreScript.Insert;
import io.rampart.syntax.RestoreScript.Replace;
import io.rampart.syntax.RestoreScript.SetPolicy;
import io.rampart.syntax.RestoreScript.TableStart;
import io.rampart.syntax.SavedState.Counters;
import io.rampart.syntax.SavedState.SavedChain;
import io.rampart.syntax.SavedState.SavedTable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The kernel's side of {@code iptables-restore --noflush}, in memory: what a {@link RestoreScript}
 * leaves on a {@link SavedState}, without touching the kernel. It refuses what the kernel refuses
 * (compared with the real one by {@code KernelModelKernelTest}): a command on a missing chain, a rule
 * jumping to a chain the table lacks, a position out of range, deleting a rule that is not there,
 * removing a built-in, non-empty or jumped-to chain, a policy on a user chain, a table it does not
 * know, and a jump loop that a built-in chain reaches. A refused script changes nothing, as on
 * nf_tables, where the whole input is one transaction.
 */
public final class KernelModel {

    /** A script iptables-restore would refuse: the kernel keeps what it held. */
    public static final class Refused extends IllegalArgumentException {
        private final int line;

        Refused(int line, String why) {
            super("line " + line + ": " + why);
            this.line = line;
        }

        /** The script's line (from 1) that is refused. */
        public int line() {
            return line;
        }
    }

    /** The kernel's own verdicts; any other target that is no chain is a target extension. */
    private static final Set<String> VERDICTS = Set.of("ACCEPT", "DROP", "RETURN", "QUEUE");

    private KernelModel() {
    }

    /** The state after {@code script} runs on {@code saved}; counters are not modelled (all zero). */
    public static SavedState after(SavedState saved, RestoreScript script) {
        Map<String, ModelTable> tables = new LinkedHashMap<>();
        saved.tables().forEach(table -> tables.put(table.label(), ModelTable.of(table)));
        ModelTable current = null;
        List<RestoreScript.Line> lines = script.lines();
        for (int number = 1; number <= lines.size(); number++) {
            RestoreScript.Line line = lines.get(number - 1);
            if (line instanceof TableStart start) {
                if (Table.byLabel(start.label()).isEmpty()) {
                    throw new Refused(number, "no table " + start.label());
                }
                current = tables.computeIfAbsent(start.label(), ModelTable::made);
            } else if (line instanceof Commit) {
                if (current == null) {
                    throw new Refused(number, "COMMIT outside a table");
                }
                current.checkLoops(number);
                current = null;
            } else if (line instanceof Command command) {
                if (current == null) {
                    throw new Refused(number, "command before a table line: " + command.text());
                }
                current.run(command, number);
            }
        }
        Map<String, SavedTable> result = new LinkedHashMap<>();
        tables.values().forEach(table -> result.put(table.label, table.saved()));
        return new SavedState(result, saved.warnings());
    }

    /** The same on text: iptables-save text (without counters and comments) after the restore text. */
    public static String after(String saved, String script) {
        return after(SavedState.parse(saved), RestoreScript.parse(script)).withoutCounters();
    }

    /** One table: chains with their policy (null for user chains), and their rule lines. */
    private static final class ModelTable {
        final String label;
        final Table table;
        final Map<String, Policy> chains = new LinkedHashMap<>();
        final Map<String, List<String>> rules = new LinkedHashMap<>();

        private ModelTable(String label) {
            this.label = label;
            this.table = Table.byLabel(label).orElse(null);
        }

        static ModelTable of(SavedTable saved) {
            ModelTable table = new ModelTable(saved.label());
            saved.chains().values().forEach(chain -> table.chains.put(chain.name(), chain.policy()));
            saved.rules().forEach((chain, rules) -> table.rules.put(chain, new ArrayList<>(rules)));
            return table;
        }

        /** A table the script makes: it comes with its built-in chains, accepting. */
        static ModelTable made(String label) {
            ModelTable table = new ModelTable(label);
            table.table.builtinChains().forEach(chain -> table.chains.put(chain, Policy.ACCEPT));
            return table;
        }

        /** Built-in chains first, then user chains by name, as iptables-save lists them. */
        SavedTable saved() {
            SavedTable saved = new SavedTable(label);
            List<String> order = new ArrayList<>();
            chains.keySet().stream().filter(this::isBuiltin).forEach(order::add);
            new TreeSet<>(chains.keySet()).stream().filter(c -> !isBuiltin(c)).forEach(order::add);
            for (String chain : order) {
                saved.declare(new SavedChain(chain, chains.get(chain), Counters.ZERO));
                rules(chain).forEach(rule -> saved.add(chain, rule, null));
            }
            return saved;
        }

        List<String> rules(String chain) {
            return rules.computeIfAbsent(chain, c -> new ArrayList<>());
        }

        void run(Command command, int number) {
            String chain = command.chain();
            if (command instanceof DeclareChain declare) {
                if (isBuiltin(chain)) {
                    if (declare.policy() != null) {
                        chains.put(chain, declare.policy());
                    }
                } else {
                    // Declaring a user chain that exists empties it, as iptables-restore --noflush does.
                    chains.put(chain, null);
                    rules(chain).clear();
                }
                return;
            }
            if (!chains.containsKey(chain)) {
                throw new Refused(number, "no chain " + chain);
            }
            List<String> rules = rules(chain);
            if (command instanceof Append append) {
                rules.add(checkedRule(append.rule(), number));
            } else if (command instanceof Insert insert) {
                int at = position(insert.position(), rules.size() + 1, number);
                rules.add(at, checkedRule(insert.rule(), number));
            } else if (command instanceof Replace replace) {
                int at = position(replace.position(), rules.size(), number);
                rules.set(at, checkedRule(replace.rule(), number));
            } else if (command instanceof DeleteAt delete) {
                rules.remove(position(delete.position(), rules.size(), number));
            } else if (command instanceof DeleteRule delete) {
                if (!rules.remove(delete.rule())) {
                    throw new Refused(number, "no rule to delete: " + delete.text());
                }
            } else if (command instanceof Flush) {
                rules.clear();
            } else if (command instanceof DeleteChain) {
                if (isBuiltin(chain) || !rules.isEmpty() || !jumpsTo(chain).isEmpty()) {
                    throw new Refused(number, "chain " + chain + " is built in, holds rules or is jumped to");
                }
                chains.remove(chain);
                this.rules.remove(chain);
            } else if (command instanceof SetPolicy policy) {
                if (!isBuiltin(chain)) {
                    throw new Refused(number, "chain " + chain + " is no built-in chain: it has no policy");
                }
                chains.put(chain, policy.policy());
            }
        }

        private boolean isBuiltin(String chain) {
            return table != null && table.isBuiltinChain(chain);
        }

        /** The 0-based index of a 1-based {@code position} that may be at most {@code last}. */
        private static int position(int position, int last, int number) {
            if (position < 1 || position > last) {
                throw new Refused(number, "position " + position + " is out of range");
            }
            return position - 1;
        }

        /** A rule whose jump names a user chain the table lacks is refused. */
        private String checkedRule(String rule, int number) {
            String target = target(rule);
            if (target != null && !chains.containsKey(target) && !VERDICTS.contains(target)
                    && StandardExtensions.registry().named(target).isEmpty()) {
                throw new Refused(number, "rule in " + SavedState.chainOf(rule) + " jumps to missing chain " + target);
            }
            return rule;
        }

        private static String target(String rule) {
            String[] words = rule.split(" ");
            for (int i = 0; i + 1 < words.length; i++) {
                if (words[i].equals("-j") || words[i].equals("-g")) {
                    return words[i + 1];
                }
            }
            return null;
        }

        /** The chains with a rule that jumps or goes to {@code chain}. */
        private List<String> jumpsTo(String chain) {
            return rules.entrySet().stream()
                    .filter(e -> e.getValue().stream().anyMatch(r -> chain.equals(target(r))))
                    .map(Map.Entry::getKey).toList();
        }

        /**
         * The kernel refuses a table in which a built-in chain reaches a loop of jumps; a loop no
         * built-in chain reaches is loaded (no packet can enter it).
         */
        void checkLoops(int number) {
            Set<String> done = new HashSet<>();
            for (String chain : chains.keySet()) {
                if (isBuiltin(chain) && loops(chain, new HashSet<>(), done)) {
                    throw new Refused(number, "a jump loop reached from " + chain);
                }
            }
        }

        /** Depth first from {@code chain}: true when it meets a chain on the current path. */
        private boolean loops(String chain, Set<String> path, Set<String> done) {
            if (done.contains(chain)) {
                return false;
            }
            if (!path.add(chain)) {
                return true;
            }
            for (String rule : rules(chain)) {
                String target = target(rule);
                if (target != null && chains.containsKey(target) && loops(target, path, done)) {
                    return true;
                }
            }
            path.remove(chain);
            done.add(chain);
            return false;
        }
    }
}
