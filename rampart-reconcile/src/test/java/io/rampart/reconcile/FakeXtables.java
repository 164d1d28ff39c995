package io.rampart.reconcile;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.syntax.RulesetPrinter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An in-memory kernel for one family behind {@link Xtables}: restore scripts run the way
 * iptables-restore --noflush runs them (declaring a chain empties it; -A -I -R -D -P -F -X; a jump to
 * a missing chain, or deleting a chain still jumped to, refuses the whole script and changes nothing).
 * Rules are kept as the text the script gave, so scripts must be canonical as the kernel's would be.
 */
final class FakeXtables implements Xtables {

    private final ExtensionRegistry registry;
    private final Family family;
    private Map<Table, Map<String, FakeChain>> tables = new EnumMap<>(Table.class);
    final List<String> scripts = new ArrayList<>();
    /** Counters iptables-save -c shows for a rule line (all others count nothing). */
    final Map<String, String> counters = new LinkedHashMap<>();
    /** When positive, the next restore is refused at this line, as the kernel refuses a bad command. */
    int refuseAtLine;
    /** Another program's restore scripts: one runs just before each of Rampart's restores, while there are any. */
    final Deque<String> othersBefore = new ArrayDeque<>();
    /** Likewise, one runs just after each of Rampart's restores. */
    final Deque<String> othersAfter = new ArrayDeque<>();

    private record FakeChain(String policy, List<String> rules) {
    }

    FakeXtables(ExtensionRegistry registry, Family family) {
        this.registry = registry;
        this.family = family;
    }

    @Override
    public String save(Family family) {
        return dump(false);
    }

    @Override
    public String saveWithCounters(Family family) {
        return dump(true);
    }

    private String dump(boolean withCounters) {
        StringBuilder text = new StringBuilder();
        for (Table table : RulesetPrinter.SAVE_ORDER) {
            Map<String, FakeChain> chains = tables.get(table);
            if (chains == null) {
                continue;
            }
            List<String> order = new ArrayList<>(table.builtinChains());
            new TreeMap<>(chains).keySet().stream().filter(c -> !table.isBuiltinChain(c)).forEach(order::add);
            text.append('*').append(table.label()).append('\n');
            order.forEach(c -> text.append(':').append(c).append(' ').append(chains.get(c).policy()).append(" [0:0]\n"));
            for (String chain : order) {
                for (String rule : chains.get(chain).rules()) {
                    if (withCounters) {
                        text.append('[').append(counters.getOrDefault(rule, "0:0")).append("] ");
                    }
                    text.append(rule).append('\n');
                }
            }
            text.append("COMMIT\n");
        }
        return text.toString();
    }

    @Override
    public RestoreResult restore(Family family, String script) {
        if (!othersBefore.isEmpty()) {
            run(othersBefore.poll());
        }
        scripts.add(script);
        RestoreResult result = run(script);
        if (!othersAfter.isEmpty()) {
            run(othersAfter.poll());
        }
        return result;
    }

    private RestoreResult run(String script) {
        if (refuseAtLine > 0) {
            int line = refuseAtLine;
            refuseAtLine = 0;
            return new RestoreResult(false, "iptables-restore: line " + line + " failed");
        }
        Map<Table, Map<String, FakeChain>> next = copy(tables);
        Map<String, FakeChain> current = null;
        int number = 0;
        for (String line : script.split("\n")) {
            number++;
            String[] words = line.split(" ");
            try {
                if (line.startsWith("*")) {
                    Table table = Table.byLabel(line.substring(1)).orElseThrow();
                    current = next.computeIfAbsent(table, FakeXtables::emptyTable);
                } else if (line.startsWith(":")) {
                    String chain = words[0].substring(1);
                    FakeChain old = current.get(chain);
                    current.put(chain, new FakeChain(old == null ? "-" : old.policy(), new ArrayList<>()));
                } else if (line.equals("COMMIT")) {
                    checkJumps(current);
                } else {
                    run(current, words, line);
                }
            } catch (RuntimeException e) {
                return new RestoreResult(false, "iptables-restore: line " + number + " failed: " + e.getMessage());
            }
        }
        tables = next;
        return new RestoreResult(true, "");
    }

    private void run(Map<String, FakeChain> chains, String[] words, String line) {
        String command = words[0];
        FakeChain chain = chains.get(words[1]);
        if (chain == null) {
            throw new IllegalStateException("no chain " + words[1]);
        }
        switch (command) {
            case "-A" -> chain.rules().add(line);
            case "-I" -> chain.rules().add(Integer.parseInt(words[2]) - 1, appended(words, line));
            case "-R" -> chain.rules().set(Integer.parseInt(words[2]) - 1, appended(words, line));
            case "-D" -> delete(chain, words, line);
            case "-F" -> chain.rules().clear();
            case "-P" -> chains.put(words[1], new FakeChain(words[2], chain.rules()));
            case "-X" -> {
                chains.remove(words[1]);
                checkJumps(chains);
            }
            default -> throw new IllegalStateException("unknown command " + command);
        }
    }

    /** {@code -D CHAIN N}, or {@code -D CHAIN RULE}: the first rule of that text, refused when there is none. */
    private static void delete(FakeChain chain, String[] words, String line) {
        if (words[2].chars().allMatch(Character::isDigit)) {
            chain.rules().remove(Integer.parseInt(words[2]) - 1);
        } else if (!chain.rules().remove("-A" + line.substring(2))) {
            throw new IllegalStateException("Bad rule (does a matching rule exist in that chain?)");
        }
    }

    /** {@code -I CHAIN N rest} as the {@code -A CHAIN rest} line the kernel would save. */
    private static String appended(String[] words, String line) {
        String head = words[0] + " " + words[1] + " " + words[2];
        return "-A " + words[1] + line.substring(head.length());
    }

    private void checkJumps(Map<String, FakeChain> chains) {
        for (FakeChain chain : chains.values()) {
            for (String rule : chain.rules()) {
                String[] words = rule.split(" ");
                String verb = words[words.length - 2];
                String target = words[words.length - 1];
                if ((verb.equals("-j") || verb.equals("-g")) && registry.target(target, family).isEmpty()
                        && !chains.containsKey(target)) {
                    throw new IllegalStateException("jump to missing chain " + target);
                }
            }
        }
    }

    private static Map<String, FakeChain> emptyTable(Table table) {
        Map<String, FakeChain> chains = new LinkedHashMap<>();
        table.builtinChains().forEach(c -> chains.put(c, new FakeChain("ACCEPT", new ArrayList<>())));
        return chains;
    }

    private static Map<Table, Map<String, FakeChain>> copy(Map<Table, Map<String, FakeChain>> tables) {
        Map<Table, Map<String, FakeChain>> copy = new EnumMap<>(Table.class);
        tables.forEach((table, chains) -> {
            Map<String, FakeChain> chainsCopy = new LinkedHashMap<>();
            chains.forEach((name, chain) -> chainsCopy.put(name, new FakeChain(chain.policy(),
                    new ArrayList<>(chain.rules()))));
            copy.put(table, chainsCopy);
        });
        return copy;
    }

    /** The rules of one chain as the fake holds them now. */
    List<String> rulesOf(Table table, String chain) {
        Map<String, FakeChain> chains = tables.get(table);
        return chains == null || !chains.containsKey(chain) ? List.of() : List.copyOf(chains.get(chain).rules());
    }

    String policyOf(Table table, String chain) {
        return tables.get(table).get(chain).policy();
    }

    boolean has(Table table, String chain) {
        return tables.containsKey(table) && tables.get(table).containsKey(chain);
    }
}
