package io.rampart.system.agent;

import io.rampart.model.Family;
import io.rampart.model.Rule;
import io.rampart.model.Table;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.HostNames;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.DesiredState.DesiredRule;
import io.rampart.reconcile.DesiredState.DesiredTable;
import io.rampart.syntax.RuleParser;
import io.rampart.syntax.RulePrinter;
import io.rampart.syntax.RuleSyntaxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The quick way from a changed file to the desired state, for the usual edit: a few rule lines
 * changed in place. Reading a file through the language takes about a second per 50,000 rules;
 * when every line that differs from the last full reading is a plain rule line ({@code -A CHAIN
 * ...} without variables, lists, lookups or comments) that made exactly one rule, and still makes
 * one rule of the same chain, the new state is the one of that reading with those rules parsed
 * anew, sharing every other chain's rules with it. Anything else (lines added or removed, a
 * statement of the language) is left to the full reading, which the agent also runs once the file
 * is quiet after a quick change: it reports what only the whole file shows (a jump to a chain no
 * longer declared, a hook a match is not allowed in, warnings) and settles the state.
 */
final class InPlaceEdits {

    /** More changed lines than this are read in full: the quick way is for hand edits. */
    private static final int MAX_LINES = 100;
    /** What makes a line more than a plain rule: variables, lists, lookups, comments, blocks. */
    private static final String LANGUAGE = "${}@#";
    private static final Set<String> VERDICTS = Set.of("ACCEPT", "DROP", "RETURN", "QUEUE");
    private static final int TAIL_BLOCK = 4096;

    private final ExtensionRegistry registry;
    private final HostNames names;
    private Map<Path, byte[]> remembered = Map.of();
    private boolean complete;
    private Family family;
    private RuleParser parser;
    private RulePrinter printer;

    /** Lines read as the full reading reads them: extensions of {@code registry}, names looked up in {@code names}. */
    InPlaceEdits(ExtensionRegistry registry, HostNames names) {
        this.registry = registry;
        this.names = names;
    }

    /** The bytes of {@code files} as they are now, of those that can be read. */
    static Map<Path, byte[]> contentsOf(Set<Path> files) {
        Map<Path, byte[]> contents = new HashMap<>();
        for (Path file : files) {
            contentOf(file).ifPresent(bytes -> contents.put(file, bytes));
        }
        return contents;
    }

    /**
     * Keeps {@code contents}: what the state of the last full reading, which depended on
     * {@code inputs}, was read from. An input that could not be read (not there yet) is not
     * compared, so that then no difference found means nothing.
     */
    void remember(Map<Path, byte[]> contents, Set<Path> inputs) {
        remembered = Map.copyOf(contents);
        complete = contents.keySet().containsAll(inputs);
    }

    /**
     * {@code read}, the state of the last full reading, with the rule lines changed in place since
     * {@link #remember} parsed anew; {@code read} itself when no line differs; empty when the change
     * is not of that kind.
     */
    Optional<DesiredState> after(DesiredState read) {
        if (remembered.isEmpty()) {
            return Optional.empty(); // the last reading's text is not known
        }
        Map<String, String> replaced = new LinkedHashMap<>(); // file:line of the old rule -> the new line
        for (Map.Entry<Path, byte[]> file : remembered.entrySet()) {
            Optional<byte[]> now = contentOf(file.getKey());
            if (now.isEmpty() || !replacedLines(file.getKey(), file.getValue(), now.get(), replaced)) {
                return Optional.empty();
            }
        }
        if (replaced.isEmpty()) {
            return complete ? Optional.of(read) : Optional.empty();
        }
        return replace(read, replaced);
    }

    /**
     * Adds each line that differs between {@code before} and {@code after} to {@code replaced},
     * by its {@code file:line}; false when lines were added or removed, or a line that differs is
     * not a plain rule line. Only the stretch between the first and the last byte that differ is
     * split into lines: 100,000 lines need not be made strings for one.
     */
    private static boolean replacedLines(Path file, byte[] before, byte[] after, Map<String, String> replaced) {
        int first = Arrays.mismatch(before, after);
        if (first < 0) {
            return true;
        }
        int start = first;
        while (start > 0 && before[start - 1] != '\n') {
            start--;
        }
        int endBefore = before.length;
        int endAfter = after.length;
        // Alike ends are passed over a block at a time (a vectorised compare), then byte by byte.
        while (endBefore - TAIL_BLOCK > start && endAfter - TAIL_BLOCK > start && Arrays.mismatch(
                before, endBefore - TAIL_BLOCK, endBefore, after, endAfter - TAIL_BLOCK, endAfter) < 0) {
            endBefore -= TAIL_BLOCK;
            endAfter -= TAIL_BLOCK;
        }
        while (endBefore > start && endAfter > start && before[endBefore - 1] == after[endAfter - 1]) {
            endBefore--;
            endAfter--;
        }
        // What follows is alike in both: both stretches end at the same line's end.
        while (endBefore < before.length && before[endBefore] != '\n') {
            endBefore++;
            endAfter++;
        }
        String[] old = new String(before, start, endBefore - start, StandardCharsets.UTF_8).split("\n", -1);
        String[] now = new String(after, start, endAfter - start, StandardCharsets.UTF_8).split("\n", -1);
        if (old.length != now.length) {
            return false;
        }
        int line = 1;
        for (int i = 0; i < start; i++) {
            line += before[i] == '\n' ? 1 : 0;
        }
        for (int i = 0; i < old.length; i++) {
            if (old[i].equals(now[i])) {
                continue;
            }
            if (!plain(old[i]) || !plain(now[i]) || replaced.size() == MAX_LINES) {
                return false;
            }
            replaced.put(file + ":" + (line + i), now[i].strip());
        }
        return true;
    }

    private Optional<DesiredState> replace(DesiredState read, Map<String, String> replaced) {
        if (read.family() != family) {
            family = read.family();
            parser = new RuleParser(registry, family, names);
            printer = new RulePrinter(registry, family);
        }
        Map<String, Place> places = new HashMap<>();
        Map<String, Integer> made = new HashMap<>();
        for (DesiredTable table : read.tables().values()) {
            table.rules().forEach((chain, rules) -> {
                for (int i = 0; i < rules.size(); i++) {
                    String source = rules.get(i).source();
                    if (source != null && replaced.containsKey(source)) {
                        places.put(source, new Place(table.table(), chain, i));
                        made.merge(source, 1, Integer::sum);
                    }
                }
            });
        }
        Map<Table, Map<String, List<DesiredRule>>> changed = new HashMap<>();
        for (Map.Entry<String, String> edit : replaced.entrySet()) {
            Place place = places.get(edit.getKey());
            if (place == null || made.get(edit.getKey()) != 1) {
                return Optional.empty(); // the line made no rule of this family, or several
            }
            List<Rule> rules;
            try {
                rules = parser.parseLine(edit.getValue(), place.table());
            } catch (RuleSyntaxException e) {
                return Optional.empty(); // the full reading reports it where it was written
            }
            if (rules.size() != 1 || !rules.get(0).chain().equals(place.chain())
                    || !reaches(rules.get(0), read.table(place.table()).orElseThrow())) {
                return Optional.empty();
            }
            Map<String, List<DesiredRule>> chains = changed.computeIfAbsent(place.table(),
                    t -> new LinkedHashMap<>(read.table(t).orElseThrow().rules()));
            List<DesiredRule> chainRules = new ArrayList<>(chains.get(place.chain()));
            chainRules.set(place.index(), new DesiredRule(printer.print(rules.get(0)), edit.getKey()));
            chains.put(place.chain(), chainRules);
        }
        Map<Table, DesiredTable> tables = new LinkedHashMap<>(read.tables());
        changed.forEach((table, rules) -> {
            DesiredTable old = read.table(table).orElseThrow();
            tables.put(table, new DesiredTable(table, old.chains(), rules, old.byName()));
        });
        return Optional.of(new DesiredState(read.family(), read.source(), tables));
    }

    /** Whether the rule's target is the kernel's own, an extension, or a chain the table declares. */
    private boolean reaches(Rule rule, DesiredTable table) {
        return rule.targetIfAny().map(target -> VERDICTS.contains(target.name())
                || registry.target(target.name(), family).isPresent() || table.declares(target.name())).orElse(true);
    }

    /** Where a desired rule stands: its table, chain and index in the chain. */
    private record Place(Table table, String chain, int index) {
    }

    private static boolean plain(String line) {
        if (line == null || !line.strip().startsWith("-A ")) {
            return false;
        }
        return line.chars().noneMatch(c -> LANGUAGE.indexOf(c) >= 0);
    }

    /**
     * A file's bytes; for a directory an include glob listed, its entries' names, one a line, so
     * that a file added or removed there is a change, and no rule line's.
     */
    private static Optional<byte[]> contentOf(Path file) {
        try {
            if (Files.isDirectory(file)) {
                try (var entries = Files.list(file)) {
                    return Optional.of(String.join("\n", entries.map(entry -> entry.getFileName().toString()).sorted()
                            .toList()).getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            return Optional.of(Files.readAllBytes(file));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone or unreadable meanwhile: the full reading says what is wrong
        }
    }
}
