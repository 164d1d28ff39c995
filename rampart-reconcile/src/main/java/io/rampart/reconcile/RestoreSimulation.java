package io.rampart.reconcile;

import io.rampart.model.Table;
import io.rampart.model.extensions.StandardExtensions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the kernel will hold after an {@code iptables-restore --noflush} script, worked out on the
 * iptables-save text it holds now, without touching it. Knows the commands the planner and
 * {@link Rollback} write: chain lines, {@code -A -I -R} by position, {@code -D} by position or by rule,
 * {@code -F -X -P}. A script the kernel refuses (a missing chain or rule, a position out of range,
 * removing a built-in, non-empty or jumped-to chain, a jump loop) is refused with {@link Refused}, as
 * the kernel refuses it whole.
 */
public final class RestoreSimulation {

    /** A script iptables-restore would refuse: the kernel keeps what it held. */
    public static final class Refused extends IllegalArgumentException {
        Refused(String message) {
            super(message);
        }
    }

    /** The kernel's own verdicts; any other target that is no chain is a target extension. */
    private static final Set<String> VERDICTS = Set.of("ACCEPT", "DROP", "RETURN", "QUEUE");

    private RestoreSimulation() {
    }

    /** The iptables-save text (without counters and comments) after {@code script} runs on {@code saved}. */
    public static String after(String saved, String script) {
        Map<String, SimTable> tables = new LinkedHashMap<>();
        SimTable current = null;
        for (String line : saved.split("\n")) {
            if (line.startsWith("*")) {
                current = tables.computeIfAbsent(line.substring(1).strip(), SimTable::new);
            } else if (current != null && line.startsWith(":")) {
                String[] fields = line.substring(1).split(" ");
                current.chains.put(fields[0], fields.length > 1 ? fields[1] : "-");
            } else if (current != null && line.startsWith("-A ")) {
                current.rules(chainOf(line)).add(line);
            }
        }
        current = null;
        String[] lines = script.split("\n");
        for (int number = 1; number <= lines.length; number++) {
            String line = lines[number - 1];
            if (line.equals("COMMIT") && current != null) {
                current.checkLoops(number);
            }
            if (line.isEmpty() || line.startsWith("#") || line.equals("COMMIT")) {
                continue;
            }
            if (line.startsWith("*")) {
                current = tables.computeIfAbsent(line.substring(1).strip(), SimTable::made);
            } else if (current == null) {
                throw new IllegalArgumentException("command before a table line: " + line);
            } else {
                current.run(line, number);
            }
        }
        StringBuilder out = new StringBuilder();
        for (SimTable table : tables.values()) {
            out.append('*').append(table.name).append('\n');
            table.chains.forEach((chain, policy) -> out.append(':').append(chain).append(' ').append(policy)
                    .append(" [0:0]\n"));
            table.chains.keySet().forEach(chain -> table.rules(chain).forEach(r -> out.append(r).append('\n')));
            out.append("COMMIT\n");
        }
        return out.toString();
    }

    private static String chainOf(String line) {
        int end = line.indexOf(' ', 3);
        return end < 0 ? line.substring(3) : line.substring(3, end);
    }

    /** One table: chains in order with their policy ("-" for user chains), and their rule lines. */
    private static final class SimTable {
        final String name;
        final Map<String, String> chains = new LinkedHashMap<>();
        final Map<String, List<String>> rules = new LinkedHashMap<>();
        private final boolean known;

        SimTable(String name) {
            this.name = name;
            this.known = Table.byLabel(name).isPresent();
        }

        /** A table the script makes: it comes with its built-in chains, accepting. */
        static SimTable made(String name) {
            SimTable table = new SimTable(name);
            Table.byLabel(name).ifPresent(t -> t.builtinChains().forEach(chain -> table.chains.put(chain, "ACCEPT")));
            return table;
        }

        List<String> rules(String chain) {
            return rules.computeIfAbsent(chain, c -> new ArrayList<>());
        }

        /** {@code -D CHAIN N} by position, or {@code -D CHAIN RULE}: the first rule of that text, as iptables does. */
        private void delete(String chain, String line, List<String> rules, int number) {
            String rest = line.substring(("-D " + chain + " ").length());
            if (rest.chars().allMatch(Character::isDigit)) {
                rules.remove(position(rest, rules.size(), number));
            } else if (!rules.remove("-A " + chain + " " + rest)) {
                throw refused(number, "no rule to delete: " + line);
            }
        }

        void run(String line, int number) {
            String[] words = line.split(" ", 4);
            if (line.startsWith(":")) {
                String[] fields = line.substring(1).split(" ");
                if (isBuiltin(fields[0])) {
                    if (!fields[1].equals("-")) {
                        chains.put(fields[0], fields[1]);
                    }
                } else {
                    // Declaring a user chain that exists empties it, as iptables-restore --noflush does.
                    chains.put(fields[0], "-");
                    rules(fields[0]).clear();
                }
                return;
            }
            String chain = words[1];
            if (!chains.containsKey(chain)) {
                throw refused(number, "no chain " + chain);
            }
            List<String> rules = rules(chain);
            switch (words[0]) {
                case "-A" -> rules.add(checkedRule(chain, line, number));
                case "-I" -> rules.add(position(words[2], rules.size() + 1, number),
                        checkedRule(chain, "-A " + chain + " " + words[3], number));
                case "-R" -> rules.set(position(words[2], rules.size(), number),
                        checkedRule(chain, "-A " + chain + " " + words[3], number));
                case "-D" -> delete(chain, line, rules, number);
                case "-F" -> rules.clear();
                case "-X" -> {
                    if (isBuiltin(chain) || !rules.isEmpty() || !jumpsTo(chain).isEmpty()) {
                        throw refused(number, "chain " + chain + " is built in, holds rules or is jumped to");
                    }
                    chains.remove(chain);
                    this.rules.remove(chain);
                }
                case "-P" -> chains.put(chain, words[2]);
                default -> throw new IllegalArgumentException("command the simulation does not know: " + line);
            }
        }

        private boolean isBuiltin(String chain) {
            return known && Table.byLabel(name).orElseThrow().isBuiltinChain(chain);
        }

        /** The 0-based index of a 1-based {@code position} that may be at most {@code last}. */
        private static int position(String position, int last, int number) {
            int at = Integer.parseInt(position);
            if (at < 1 || at > last) {
                throw refused(number, "position " + at + " is out of range");
            }
            return at - 1;
        }

        /** A rule whose jump names a user chain the table lacks is refused. */
        private String checkedRule(String chain, String rule, int number) {
            String target = target(rule);
            if (target != null && !chains.containsKey(target) && !VERDICTS.contains(target)
                    && StandardExtensions.registry().named(target).isEmpty()) {
                throw refused(number, "rule in " + chain + " jumps to missing chain " + target);
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

        /** The kernel refuses a table in which a chain can reach itself through jumps. */
        void checkLoops(int number) {
            for (String chain : chains.keySet()) {
                if (reaches(chain, chain, new HashSet<>())) {
                    throw refused(number, "a jump loop through " + chain);
                }
            }
        }

        private boolean reaches(String from, String to, Set<String> seen) {
            for (String rule : rules(from)) {
                String target = target(rule);
                if (target != null && chains.containsKey(target) && (target.equals(to)
                        || seen.add(target) && reaches(target, to, seen))) {
                    return true;
                }
            }
            return false;
        }

        private static Refused refused(int number, String why) {
            return new Refused("line " + number + ": " + why);
        }
    }
}
