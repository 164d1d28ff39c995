package io.rampart.api.adopt;

import io.rampart.api.adopt.Adoption.Change;
import io.rampart.api.adopt.Adoption.Kind;
import io.rampart.api.adopt.Adoption.Unexpressed;
import io.rampart.config.Diagnostic;
import io.rampart.config.FamilyRuleset;
import io.rampart.config.RulesetSource;
import io.rampart.config.SourceFile;
import io.rampart.config.SourceRef;
import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Policy;
import io.rampart.model.Rule;
import io.rampart.model.Table;
import io.rampart.model.TableRules;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.HostNames;
import io.rampart.reconcile.LineDiff;
import io.rampart.reconcile.LiveState;
import io.rampart.syntax.RulePrinter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns what the kernel holds in the chains a ruleset file manages into edits to that file, in its
 * own layout: a rule added by hand goes in next to the rules it sits between in the kernel, a rule
 * deleted by hand becomes a comment, a rule replaced or a policy changed is rewritten on its line,
 * each with a comment saying when. A difference in rules the file does not write on a line of its own
 * (a list or a macro making several rules, a rule in an included file) is reported, not guessed.
 * The edited text is read back and must then say what the kernel holds, chain by chain.
 */
public final class Adopter {

    /** Reads edited text of the main file as the file itself is read: the same includes and values. */
    @FunctionalInterface
    public interface Reader {
        RulesetSource read(String mainText);
    }

    private static final Pattern DECLARATION = Pattern.compile("(\\s*:(\\S+)\\s+)(ACCEPT|DROP)(\\b.*)");

    private final ExtensionRegistry registry;
    private final RulesetSource source;
    private final String main;
    private final List<String> lines;
    private final Reader reader;
    private final String comment;
    private final Spelling spelling;
    /** How many rules (in every family) each {@code file:line} made: more than one is a list or a macro. */
    private final Map<String, Integer> rulesPerLine = new HashMap<>();
    /** How many families declare a chain on each {@code file:line}: two for a table for both. */
    private final Map<String, Integer> familiesPerDeclaration = new HashMap<>();

    private final List<Change> changes = new ArrayList<>();
    private final List<Unexpressed> unexpressed = new ArrayList<>();
    /** Per line of the main file (from 1), the lines that replace it; absent lines stay. */
    private final Map<Integer, List<String>> replaced = new HashMap<>();
    /** Per line of the main file (0: the top), the lines inserted after it, in order. */
    private final Map<Integer, List<String>> insertedAfter = new HashMap<>();
    /** The policies of the built-in chains in the kernel, of every family adopted. */
    private final Map<ChainKey, Policy> kernelPolicies = new HashMap<>();
    /** Chains whose every difference became an edit: the edited file must match the kernel in them. */
    private final List<ChainKey> expressed = new ArrayList<>();

    private record ChainKey(Family family, Table table, String chain) {
    }

    /** A rule of the file: its canonical line and where it was written. */
    private record FileRule(String line, SourceRef where) {
    }

    /**
     * @param names the names the file's rules were read with, for reading a rule in the file's spelling
     * @param main  the main file's name as {@code source} knows it (its rules' locations name it)
     * @param now   when, for the comments the edits carry
     */
    public Adopter(ExtensionRegistry registry, HostNames names, RulesetSource source, String main, Reader reader,
                   Instant now) {
        this.registry = registry;
        this.source = source;
        this.main = main;
        SourceFile file = source.files().get(main);
        if (file == null) {
            throw new IllegalArgumentException(main + " is not the main file of the source");
        }
        this.lines = file.lines();
        this.reader = reader;
        this.comment = "# adopted from the kernel " + Stamp.of(now);
        this.spelling = new Spelling(registry, names, lines);
        for (FamilyRuleset ruleset : source.families().values()) {
            for (TableRules section : ruleset.ruleset().tables()) {
                for (int i = 0; i < section.rules().size(); i++) {
                    rulesPerLine.merge(key(ruleset.rule(section.table(), i)), 1, Integer::sum);
                }
                for (Chain chain : section.chains()) {
                    familiesPerDeclaration.merge(key(ruleset.chain(section.table(), chain.name())), 1, Integer::sum);
                }
            }
        }
    }

    /** The edits that make the file say what {@code live} holds, for each family given. */
    public Adoption adopt(Map<Family, LiveState> live) {
        live.forEach((family, state) -> state.tables().forEach(table -> table.chains().values().stream()
                .filter(chain -> chain.policy() != null)
                .forEach(chain -> kernelPolicies.put(new ChainKey(family, table.table(), chain.name()), chain.policy()))));
        for (Map.Entry<Family, LiveState> family : live.entrySet()) {
            FamilyRuleset ruleset = source.families().get(family.getKey());
            if (ruleset != null) {
                adoptFamily(ruleset, family.getValue());
            }
        }
        String adopted = edited();
        if (!changes.isEmpty()) {
            verify(adopted, live);
        }
        changes.sort(Comparator.comparingInt(Change::line));
        return new Adoption(main, String.join("\n", lines), adopted, changes, unexpressed);
    }

    private void adoptFamily(FamilyRuleset ruleset, LiveState live) {
        for (TableRules section : ruleset.ruleset().tables()) {
            Table table = section.table();
            Optional<LiveState.LiveTable> liveTable = live.table(table);
            Map<String, List<FileRule>> rules = new LinkedHashMap<>();
            for (Chain chain : section.chains()) {
                rules.put(chain.name(), new ArrayList<>());
            }
            RulePrinter printer = new RulePrinter(registry, ruleset.family());
            for (int i = 0; i < section.rules().size(); i++) {
                Rule rule = section.rules().get(i);
                rules.computeIfAbsent(rule.chain(), c -> new ArrayList<>())
                        .add(new FileRule(printer.print(rule), ruleset.rule(table, i)));
            }
            boolean both = section.chains().stream()
                    .anyMatch(c -> familiesPerDeclaration.getOrDefault(key(ruleset.chain(table, c.name())), 0) > 1);
            for (Map.Entry<String, List<FileRule>> chain : rules.entrySet()) {
                ChainKey at = new ChainKey(ruleset.family(), table, chain.getKey());
                if (liveTable.isEmpty() || !liveTable.get().has(chain.getKey())) {
                    unexpressed.add(new Unexpressed(locationOf(ruleset.chain(table, chain.getKey())), at.family(), table,
                            chain.getKey(), "the kernel has no chain " + chain.getKey() + " in " + table.label(),
                            "a chain is created by applying the file"));
                    continue;
                }
                int before = unexpressed.size();
                Optional<Chain> declared = section.chain(chain.getKey());
                if (declared.isPresent() && declared.get().sharing() != Chain.Sharing.WHOLE) {
                    continue; // shared with another tool's rules: the file holds only its own part
                }
                declared.flatMap(Chain::policyIfBuiltin).ifPresent(policy -> policy(ruleset, at, policy,
                        liveTable.get().policyOf(at.chain())));
                LiveState.LiveTable kernel = liveTable.get();
                rules(at, chain.getValue(), kernel.rulesOf(chain.getKey()), both, ruleset.chain(table, chain.getKey()),
                        name -> kernel.has(name) && !rules.containsKey(name));
                if (unexpressed.size() == before) {
                    expressed.add(at);
                }
            }
        }
    }

    private void policy(FamilyRuleset ruleset, ChainKey at, Policy file, Policy kernel) {
        if (file == kernel) {
            return;
        }
        SourceRef where = ruleset.chain(at.table(), at.chain());
        Matcher declaration = own(where) ? DECLARATION.matcher(lines.get(where.line() - 1)) : null;
        String what = "the kernel's " + at.chain() + " policy is " + kernel + ", the file's " + file;
        if (declaration == null || !declaration.matches() || !declaration.group(2).equals(at.chain())) {
            unexpressed.add(new Unexpressed(locationOf(where), at.family(), at.table(), at.chain(), what,
                    "the declaration is not a line of " + main + " of its own"));
            return;
        }
        if (familiesPerDeclaration.getOrDefault(key(where), 0) > 1 && replaced.containsKey(where.line())) {
            return; // the other family's policy changed the same way on this line of a table for both
        }
        if (familiesPerDeclaration.getOrDefault(key(where), 0) > 1 && !bothChangeTo(at, kernel)) {
            unexpressed.add(new Unexpressed(locationOf(where), at.family(), at.table(), at.chain(), what,
                    "the line declares the chain for both families, and the other family's policy is still " + file));
            return;
        }
        replaced.put(where.line(), List.of(comment + ": policy was " + file,
                declaration.group(1) + kernel.name() + declaration.group(4)));
        changes.add(new Change(where.line(), Kind.POLICY, at.family(), at.table(), at.chain(), 0, file.name(),
                kernel.name()));
    }

    /** For a table for both: whether the other family's kernel policy is {@code kernel} too (when adopted). */
    private boolean bothChangeTo(ChainKey at, Policy kernel) {
        return kernelPolicies.get(new ChainKey(other(at.family()), at.table(), at.chain())) == kernel;
    }

    private static Family other(Family family) {
        return family == Family.IPV4 ? Family.IPV6 : Family.IPV4;
    }

    /** @param undeclared whether a chain of the kernel's table is one the file does not declare */
    private void rules(ChainKey at, List<FileRule> file, List<String> kernel, boolean both, SourceRef declaration,
                       Predicate<String> undeclared) {
        List<String> fileLines = file.stream().map(FileRule::line).toList();
        List<LineDiff.Edit> edits = LineDiff.edits(fileLines, kernel);
        if (edits.isEmpty()) {
            return;
        }
        // Which file rule each kernel rule is (kept or replaced), so an insertion finds its neighbours.
        int[] fileOf = new int[kernel.size()];
        Arrays.fill(fileOf, -1);
        boolean[] fileTouched = new boolean[file.size()];
        boolean[] kernelTouched = new boolean[kernel.size()];
        for (LineDiff.Edit edit : edits) {
            if (edit.fromIndex() >= 0) {
                fileTouched[edit.fromIndex()] = true;
            }
            if (edit.toIndex() >= 0) {
                kernelTouched[edit.toIndex()] = true;
            }
            if (edit.kind() == LineDiff.Edit.Kind.REPLACE) {
                fileOf[edit.toIndex()] = edit.fromIndex();
            }
        }
        for (int i = 0, j = 0; i < file.size() && j < kernel.size(); ) {
            if (fileTouched[i]) {
                i++;
            } else if (kernelTouched[j]) {
                j++;
            } else {
                fileOf[j++] = i++;
            }
        }
        for (LineDiff.Edit edit : edits) {
            Optional<String> foreign = edit.toIndex() < 0 ? Optional.empty()
                    : RuleTarget.of(kernel.get(edit.toIndex())).filter(undeclared);
            if (foreign.isPresent()) {
                unexpressed.add(new Unexpressed(edit.fromIndex() < 0 ? null : locationOf(file.get(edit.fromIndex())
                        .where()), at.family(), at.table(), at.chain(), "the kernel has " + kernel.get(edit.toIndex())
                        + " at " + (edit.toIndex() + 1) + " of " + at.chain(), "it jumps to " + foreign.get()
                        + ", a chain the file does not declare (rampart import shows the kernel's chains)"));
                continue;
            }
            switch (edit.kind()) {
                case DELETE -> delete(at, file, edit.fromIndex());
                case REPLACE -> replace(at, file, edit.fromIndex(), kernel.get(edit.toIndex()), edit.toIndex(), both);
                case INSERT -> insert(at, file, fileOf, kernel.get(edit.toIndex()), edit.toIndex(), both, declaration);
            }
        }
    }

    private void delete(ChainKey at, List<FileRule> file, int index) {
        FileRule rule = file.get(index);
        Optional<String> why = notOwnLine(rule.where());
        if (why.isPresent()) {
            unexpressed.add(new Unexpressed(locationOf(rule.where()), at.family(), at.table(), at.chain(),
                    "the kernel has no rule " + rule.line(), why.get()));
            return;
        }
        int line = rule.where().line();
        replaced.put(line, List.of(indentOf(line) + comment + ": removed: " + lines.get(line - 1).strip()));
        changes.add(new Change(line, Kind.DELETE, at.family(), at.table(), at.chain(), index + 1, rule.line(), null));
    }

    private void replace(ChainKey at, List<FileRule> file, int index, String kernel, int position, boolean both) {
        FileRule rule = file.get(index);
        Optional<String> why = notOwnLine(rule.where());
        if (why.isPresent()) {
            unexpressed.add(new Unexpressed(locationOf(rule.where()), at.family(), at.table(), at.chain(),
                    "the kernel has " + kernel + " in place of " + rule.line(), why.get()));
            return;
        }
        int line = rule.where().line();
        String written = written(at, kernel, both);
        replaced.put(line, List.of(indentOf(line) + comment + ": was: " + lines.get(line - 1).strip(),
                indentOf(line) + written));
        changes.add(new Change(line, Kind.REPLACE, at.family(), at.table(), at.chain(), position + 1, rule.line(),
                written));
    }

    /**
     * A kernel rule the file lacks goes after the statement of the file rule before it, or before the
     * statement of the one after it, when that statement makes no rule on the other side; in an
     * empty chain, before the table's COMMIT.
     */
    private void insert(ChainKey at, List<FileRule> file, int[] fileOf, String kernel, int position, boolean both,
                        SourceRef declaration) {
        int previous = -1;
        for (int j = position - 1; j >= 0 && previous < 0; j--) {
            previous = fileOf[j];
        }
        int next = -1;
        for (int j = position + 1; j < fileOf.length && next < 0; j++) {
            next = fileOf[j];
        }
        String written = written(at, kernel, both);
        Integer after = null;
        String indent = "";
        if (previous >= 0) {
            SourceRef statement = statementOf(file.get(previous).where());
            boolean last = previous + 1 >= file.size()
                    || !same(statementOf(file.get(previous + 1).where()), statement);
            if (statement != null && last) {
                after = statement.line();
                indent = indentOf(after);
            }
        } else if (next >= 0) {
            SourceRef statement = statementOf(file.get(next).where());
            boolean first = next == 0 || !same(statementOf(file.get(next - 1).where()), statement);
            if (statement != null && first) {
                // First in a block: before the block's `if', so the rule does not depend on its condition.
                int line = statement.line();
                while (line > 1 && lines.get(line - 2).strip().startsWith("if ")) {
                    line--;
                }
                after = line - 1;
                indent = indentOf(line);
            }
        } else if (file.isEmpty() && own(declaration)) {
            after = commitAfter(declaration.line()) - 1;
        }
        if (after == null) {
            unexpressed.add(new Unexpressed(null, at.family(), at.table(), at.chain(),
                    "the kernel has " + kernel + " at " + (position + 1) + " of " + at.chain(),
                    "its neighbours in the kernel come from one statement that makes several rules"));
            return;
        }
        List<String> block = insertedAfter.computeIfAbsent(after, k -> new ArrayList<>());
        block.add(indent + comment);
        block.add(indent + written);
        changes.add(new Change(after, Kind.INSERT, at.family(), at.table(), at.chain(), position + 1, null, written));
    }

    /** The rule as it goes into the file: in the file's spelling, marked with its family in a table for both. */
    private String written(ChainKey at, String kernel, boolean both) {
        String spelled = spelling.of(kernel, at.table(), at.family());
        return both ? (at.family() == Family.IPV4 ? "-4 " : "-6 ") + spelled : spelled;
    }

    /** Why the rule written at {@code where} cannot be edited on its line; empty when it can. */
    private Optional<String> notOwnLine(SourceRef where) {
        if (!where.includedFrom().isEmpty() || !where.file().equals(main)) {
            List<SourceRef> path = new ArrayList<>(where.includedFrom());
            path.add(where);
            String statement = locationOf(where.includedFrom().get(0));
            return Optional.of(path.stream().map(SourceRef::file).filter(f -> !f.equals(main)).findFirst()
                    .map(f -> "it comes from " + f + ", included at " + statement + ": edit that file")
                    .orElse("it is made by the macro used at " + statement));
        }
        int made = rulesPerLine.getOrDefault(key(where), 0);
        if (made > 1) {
            return Optional.of("the line makes " + made + " rules (a list, or a table for both)");
        }
        return Optional.empty();
    }

    /** The statement of the main file that made a rule: its own line, or the include or macro use. */
    private SourceRef statementOf(SourceRef where) {
        if (where.includedFrom().isEmpty()) {
            return where.file().equals(main) ? where : null;
        }
        SourceRef outermost = where.includedFrom().get(0);
        return outermost.file().equals(main) ? outermost : null;
    }

    private static boolean same(SourceRef a, SourceRef b) {
        return a != null && b != null && a.file().equals(b.file()) && a.line() == b.line();
    }

    private boolean own(SourceRef where) {
        return where != null && where.file().equals(main) && where.includedFrom().isEmpty() && where.line() > 0;
    }

    /** The line of the COMMIT that ends the table whose chain is declared on {@code line}. */
    private int commitAfter(int line) {
        for (int i = line; i < lines.size(); i++) {
            if (lines.get(i).strip().equals("COMMIT")) {
                return i + 1;
            }
        }
        return lines.size() + 1;
    }

    private String indentOf(int line) {
        if (line < 1 || line > lines.size()) {
            return "";
        }
        String text = lines.get(line - 1);
        return text.substring(0, text.length() - text.stripLeading().length());
    }

    private static String key(SourceRef where) {
        return where.file() + ":" + where.line();
    }

    private static String locationOf(SourceRef where) {
        return where == null ? null : where.file() + ":" + where.line();
    }

    private String edited() {
        List<String> out = new ArrayList<>(insertedAfter.getOrDefault(0, List.of()));
        for (int line = 1; line <= lines.size(); line++) {
            out.addAll(replaced.getOrDefault(line, List.of(lines.get(line - 1))));
            out.addAll(insertedAfter.getOrDefault(line, List.of()));
        }
        return String.join("\n", out);
    }

    /** The edited file, read back, must hold what the kernel holds in every chain it was edited for. */
    private void verify(String adopted, Map<Family, LiveState> live) {
        RulesetSource read = reader.read(adopted);
        if (read.hasErrors()) {
            throw new AdoptException("the edited " + main + " would not read: " + read.diagnostics().stream()
                    .filter(Diagnostic::isError).findFirst().map(d -> d.where() + ": " + d.message()).orElse(""));
        }
        for (ChainKey at : expressed) {
            FamilyRuleset ruleset = read.families().get(at.family());
            TableRules section = ruleset == null ? null : ruleset.ruleset().table(at.table()).orElse(null);
            LiveState.LiveTable kernel = live.get(at.family()).table(at.table()).orElseThrow();
            RulePrinter printer = new RulePrinter(registry, at.family());
            List<String> rules = section == null ? List.of()
                    : section.rulesOf(at.chain()).stream().map(printer::print).toList();
            Optional<Policy> policy = section == null ? Optional.empty()
                    : section.chain(at.chain()).flatMap(Chain::policyIfBuiltin);
            if (!rules.equals(kernel.rulesOf(at.chain()))
                    || policy.isPresent() && policy.get() != kernel.policyOf(at.chain())) {
                throw new AdoptException("the edited " + main + " would not hold what the kernel holds in "
                        + at.table().label() + " " + at.chain() + "; nothing is written");
            }
        }
    }
}
