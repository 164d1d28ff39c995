package io.rampart.reconcile;

import io.rampart.model.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the kernel will hold after an {@code iptables-restore --noflush} script, worked out on the
 * iptables-save text it holds now, without touching it. Knows the commands the planner and
 * {@link Rollback} write: chain lines, {@code -A -I -R} by position, {@code -D} by position or by rule, {@code -F -X -P}.
 */
public final class RestoreSimulation {

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
        for (String line : script.split("\n")) {
            if (line.isEmpty() || line.startsWith("#") || line.equals("COMMIT")) {
                continue;
            }
            if (line.startsWith("*")) {
                current = tables.computeIfAbsent(line.substring(1).strip(), SimTable::made);
            } else if (current == null) {
                throw new IllegalArgumentException("command before a table line: " + line);
            } else {
                current.run(line);
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
        private void delete(String chain, String line) {
            String rest = line.substring(("-D " + chain + " ").length());
            if (rest.chars().allMatch(Character::isDigit)) {
                rules(chain).remove(Integer.parseInt(rest) - 1);
            } else if (!rules(chain).remove("-A " + chain + " " + rest)) {
                throw new IllegalArgumentException("no rule to delete: " + line);
            }
        }

        void run(String line) {
            String[] words = line.split(" ", 4);
            if (line.startsWith(":")) {
                String[] fields = line.substring(1).split(" ");
                boolean builtin = known && Table.byLabel(name).orElseThrow().isBuiltinChain(fields[0]);
                if (builtin) {
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
            switch (words[0]) {
                case "-A" -> rules(chain).add(line);
                case "-I" -> rules(chain).add(Integer.parseInt(words[2]) - 1, "-A " + chain + " " + words[3]);
                case "-R" -> rules(chain).set(Integer.parseInt(words[2]) - 1, "-A " + chain + " " + words[3]);
                case "-D" -> delete(chain, line);
                case "-F" -> rules(chain).clear();
                case "-X" -> {
                    chains.remove(chain);
                    rules.remove(chain);
                }
                case "-P" -> chains.put(chain, words[2]);
                default -> throw new IllegalArgumentException("command the simulation does not know: " + line);
            }
        }
    }
}
