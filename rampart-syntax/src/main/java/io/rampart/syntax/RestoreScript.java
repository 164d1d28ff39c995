package io.rampart.syntax;

import io.rampart.model.Policy;
import io.rampart.model.Table;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An {@code iptables-restore --noflush} script as typed commands, line by line: a {@code *table}
 * line, the table's commands, {@code COMMIT}; each command carries the source it came from (the
 * {@code file:line} a desired rule was written on), or null for what Rampart writes itself. Rules are
 * held as canonical save lines ({@code -A CHAIN ...}) and written out in the form each command
 * needs, so turning a rule into {@code -I CHAIN N ...} or {@code -D CHAIN ...} happens here alone.
 * Line {@code n} of {@link #text()} is {@code lines().get(n - 1)}, which is how a refusal that names a
 * line ({@link RestoreRefusal}) finds its command and source.
 */
public final class RestoreScript {

    /** One line of the script. */
    public sealed interface Line permits TableStart, Commit, Comment, ListRules, Command {
        /** The line as iptables-restore reads it. */
        String text();
    }

    /** {@code *table}: the commands up to the next {@code COMMIT} are in this table. */
    public record TableStart(String label) implements Line {
        @Override
        public String text() {
            return "*" + label;
        }
    }

    /** {@code COMMIT}: the table's commands take effect together, or not at all. */
    public record Commit() implements Line {
        @Override
        public String text() {
            return "COMMIT";
        }
    }

    /** A comment or blank line of a script that was read from text; it does nothing. */
    public record Comment(String text) implements Line {
    }

    /**
     * {@code -S} at a table's head: lists the table's rules and changes nothing. It is there for
     * iptables-nft, which otherwise keeps every chain a command names in a list sorted by insertion,
     * walked for each command: a script naming 100,000 chains then compares names for hours. A
     * command on no chain makes it read the whole table instead, once (see {@link TableBuilder}).
     */
    public record ListRules() implements Line {
        @Override
        public String text() {
            return "-S";
        }
    }

    /** A command on one chain. */
    public sealed interface Command extends Line
            permits DeclareChain, RuleCommand, DeleteAt, Flush, DeleteChain, SetPolicy {
        String chain();

        /** Where the command came from ({@code file:line}), or null. */
        String source();
    }

    /** A command that names a rule: {@code rule} is its canonical save line, {@code -A CHAIN ...}. */
    public sealed interface RuleCommand extends Command permits Append, Insert, Replace, DeleteRule {
        String rule();

        @Override
        default String chain() {
            return SavedState.chainOf(rule());
        }
    }

    /**
     * {@code :CHAIN POLICY [0:0]}: makes a user chain, or empties one that exists; on a built-in
     * chain it sets the policy ({@code policy} null: {@code -}, which leaves a built-in chain's alone).
     */
    public record DeclareChain(String chain, Policy policy, String source) implements Command {
        @Override
        public String text() {
            return ":" + chain + " " + (policy == null ? "-" : policy.name()) + " [0:0]";
        }
    }

    /** {@code -A CHAIN ...}: {@code rule} is the canonical save line. */
    public record Append(String rule, String source) implements RuleCommand {
        @Override
        public String text() {
            return rule;
        }
    }

    /** {@code -I CHAIN POSITION ...}: the rule goes before the one at {@code position} (from 1). */
    public record Insert(String rule, int position, String source) implements RuleCommand {
        @Override
        public String text() {
            return positional("-I", rule, position);
        }
    }

    /** {@code -R CHAIN POSITION ...}: the rule takes the place of the one at {@code position}. */
    public record Replace(String rule, int position, String source) implements RuleCommand {
        @Override
        public String text() {
            return positional("-R", rule, position);
        }
    }

    /** {@code -D CHAIN POSITION}. */
    public record DeleteAt(String chain, int position, String source) implements Command {
        @Override
        public String text() {
            return "-D " + chain + " " + position;
        }
    }

    /** {@code -D CHAIN ...}: deletes the first rule of that text; refused when the chain has none. */
    public record DeleteRule(String rule, String source) implements RuleCommand {
        @Override
        public String text() {
            return "-D" + rule.substring(2);
        }
    }

    /** {@code -F CHAIN}. */
    public record Flush(String chain, String source) implements Command {
        @Override
        public String text() {
            return "-F " + chain;
        }
    }

    /** {@code -X CHAIN}: removes an empty user chain nothing jumps to. */
    public record DeleteChain(String chain, String source) implements Command {
        @Override
        public String text() {
            return "-X " + chain;
        }
    }

    /** {@code -P CHAIN POLICY}: a built-in chain's policy. */
    public record SetPolicy(String chain, Policy policy, String source) implements Command {
        @Override
        public String text() {
            return "-P " + chain + " " + policy.name();
        }
    }

    private static String positional(String verb, String rule, int position) {
        String chain = SavedState.chainOf(rule);
        return verb + " " + chain + " " + position + rule.substring(3 + chain.length());
    }

    private final List<Line> lines;

    /** Takes {@code lines}, which no one else holds, without copying: a script may have 100,000 of them. */
    private RestoreScript(List<Line> lines) {
        this.lines = Collections.unmodifiableList(lines);
    }

    public List<Line> lines() {
        return lines;
    }

    public boolean isEmpty() {
        return lines.isEmpty();
    }

    /** Line {@code number} (from 1), or null when the script has no such line. */
    public Line line(int number) {
        return number >= 1 && number <= lines.size() ? lines.get(number - 1) : null;
    }

    /** The text for {@code iptables-restore --noflush}; empty for an empty script. */
    public String text() {
        StringBuilder text = new StringBuilder();
        lines.forEach(line -> text.append(line.text()).append('\n'));
        return text.toString();
    }

    /** For each line (index 0 is line 1), the source of its command, or null. */
    public List<String> sources() {
        List<String> sources = new ArrayList<>(lines.size());
        lines.forEach(line -> sources.add(line instanceof Command command ? command.source() : null));
        return Collections.unmodifiableList(sources);
    }

    /** The labels of the tables the script writes, in order. */
    public List<String> tables() {
        return lines.stream().filter(TableStart.class::isInstance).map(l -> ((TableStart) l).label()).toList();
    }

    /**
     * Reads restore text as iptables-restore does, with {@code sources} (one per line, or empty)
     * given to its commands.
     *
     * @throws IllegalArgumentException for a line that is no command this type knows
     */
    public static RestoreScript parse(String text, List<String> sources) {
        List<Line> lines = new ArrayList<>();
        String[] split = text.isEmpty() ? new String[0] : text.split("\n", -1);
        int count = text.endsWith("\n") ? split.length - 1 : split.length;
        for (int i = 0; i < count; i++) {
            String source = i < sources.size() ? sources.get(i) : null;
            try {
                lines.add(parseLine(split[i], source));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("line " + (i + 1) + ": not a restore command: " + split[i], e);
            }
        }
        return new RestoreScript(lines);
    }

    public static RestoreScript parse(String text) {
        return parse(text, List.of());
    }

    private static Line parseLine(String line, String source) {
        if (line.isBlank() || line.startsWith("#")) {
            return new Comment(line);
        }
        if (line.equals("COMMIT")) {
            return new Commit();
        }
        if (line.startsWith("*")) {
            return new TableStart(line.substring(1).strip());
        }
        if (line.equals("-S")) {
            return new ListRules();
        }
        if (line.startsWith(":")) {
            String[] fields = line.substring(1).split(" ");
            Policy policy = fields.length > 1 && !fields[1].equals("-") ? Policy.valueOf(fields[1]) : null;
            return new DeclareChain(fields[0], policy, source);
        }
        String[] words = line.split(" ", 4);
        String chain = words[1];
        String rest = line.substring(3 + chain.length()); // " ..." after "-X CHAIN"
        return switch (words[0]) {
            case "-A" -> new Append(line, source);
            case "-I" -> isNumber(words, 2) ? new Insert(rule(chain, words.length > 3 ? " " + words[3] : ""),
                    Integer.parseInt(words[2]), source) : new Insert(rule(chain, rest), 1, source);
            case "-R" -> new Replace(rule(chain, words.length > 3 ? " " + words[3] : ""), Integer.parseInt(words[2]),
                    source);
            case "-D" -> isNumber(words, 2) && words.length == 3 ? new DeleteAt(chain, Integer.parseInt(words[2]), source)
                    : new DeleteRule(rule(chain, rest), source);
            case "-F" -> new Flush(chain, source);
            case "-X" -> new DeleteChain(chain, source);
            case "-P" -> new SetPolicy(chain, Policy.valueOf(words[2]), source);
            default -> throw new IllegalArgumentException("unknown command " + words[0]);
        };
    }

    private static boolean isNumber(String[] words, int index) {
        return words.length > index && !words[index].isEmpty() && words[index].chars().allMatch(Character::isDigit);
    }

    private static String rule(String chain, String rest) {
        return "-A " + chain + rest;
    }

    /** Writes a script table by table; a table given no command is left out. */
    public static final class Builder {
        private final List<TableBuilder> tables = new ArrayList<>();

        /** The next table's part of the script. */
        public TableBuilder table(String label) {
            TableBuilder table = new TableBuilder(label);
            tables.add(table);
            return table;
        }

        public RestoreScript build() {
            int size = 0;
            for (TableBuilder table : tables) {
                size += table.declared.size() + table.commands.size() + 8;
            }
            List<Line> lines = new ArrayList<>(size);
            for (TableBuilder table : tables) {
                if (!table.isEmpty()) {
                    lines.add(new TableStart(table.label));
                    if (table.listsFirst()) {
                        // Listed before they exist, built-in chains would be taken as there and not made:
                        // `:CHAIN -' makes each one the script names, or leaves it as it is.
                        table.builtinChainsNamed().forEach(chain -> lines.add(new DeclareChain(chain, null, null)));
                        lines.add(new ListRules());
                    }
                    table.declared.forEach(chain -> lines.add(new DeclareChain(chain, null, null)));
                    lines.addAll(table.commands);
                    lines.add(new Commit());
                }
            }
            return new RestoreScript(lines);
        }
    }

    /** One table's commands: the user chains it declares come first, once each, then the rest in order. */
    public static final class TableBuilder {
        /**
         * iptables-nft's walk over the chain names costs about 2.5 ns per command and chain named, a
         * listing about 15 microseconds per rule the table holds: the listing is cheaper when commands
         * times chains is above 6,000 per rule held. Below 40 million (a tenth of a second) the walk is
         * not worth a listing at all.
         */
        private static final long WALK_PER_LISTED_RULE = 6_000;
        private static final long WALK_WORTH_LISTING = 40_000_000;

        private final String label;
        private final Set<String> declared = new LinkedHashSet<>();
        private final List<Command> commands = new ArrayList<>();
        private long heldRules;

        private TableBuilder(String label) {
            this.label = label;
        }

        /** {@code :CHAIN - [0:0]} at the table's head: creates the user chain, or empties it. */
        public TableBuilder declare(String chain) {
            declared.add(chain);
            return this;
        }

        public TableBuilder add(Command command) {
            commands.add(command);
            return this;
        }

        public boolean isEmpty() {
            return declared.isEmpty() && commands.isEmpty();
        }

        /** How many rules the table holds before the script runs, which a {@link ListRules} would list. */
        public TableBuilder holding(long rules) {
            heldRules = rules;
            return this;
        }

        private List<String> builtinChainsNamed() {
            Set<String> named = new LinkedHashSet<>();
            Table.byLabel(label).ifPresent(table -> commands.forEach(command -> {
                if (table.isBuiltinChain(command.chain())) {
                    named.add(command.chain());
                }
            }));
            return List.copyOf(named);
        }

        private boolean listsFirst() {
            Set<String> chains = new HashSet<>(declared);
            commands.forEach(command -> chains.add(command.chain()));
            long walk = (long) (declared.size() + commands.size()) * chains.size();
            return walk >= WALK_WORTH_LISTING && walk > WALK_PER_LISTED_RULE * heldRules;
        }
    }
}
