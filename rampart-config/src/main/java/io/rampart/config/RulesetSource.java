package io.rampart.config;

import io.rampart.config.check.RulesetChecker;
import io.rampart.model.Family;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.HostNames;
import io.rampart.syntax.RuleParser;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import io.rampart.syntax.SourcedRuleset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A ruleset file in the Rampart language, with the files it includes, read and checked: per address
 * family the ruleset it stands for, and every error and warning about it in source order.
 */
public final class RulesetSource {


    private final Map<Family, FamilyRuleset> families;
    private final List<Diagnostic> diagnostics;
    private final Map<String, SourceFile> files;
    private final Set<Path> inputs;
    private final Map<Path, String> inputDigests;

    private RulesetSource(Map<Family, FamilyRuleset> families, List<Diagnostic> diagnostics,
                          Map<String, SourceFile> files, Set<Path> inputs, Map<Path, String> inputDigests) {
        this.families = Collections.unmodifiableMap(families);
        this.diagnostics = List.copyOf(diagnostics);
        this.files = Collections.unmodifiableMap(files);
        this.inputs = Collections.unmodifiableSet(new LinkedHashSet<>(inputs));
        this.inputDigests = Collections.unmodifiableMap(new LinkedHashMap<>(inputDigests));
    }

    /**
     * Reads and checks {@code file}.
     *
     * @param defaultFamily the family of a table whose line does not name one
     * @param resolver      looks up apply-time values; without one they are checked for form only
     * @param names         the names rules may use (services, protocols, users, hosts)
     */
    public static RulesetSource load(Path file, Family defaultFamily, ExtensionRegistry registry,
                                     Optional<ValueResolver> resolver, HostNames names) {
        return load(file, defaultFamily, registry, resolver, names, false);
    }

    /**
     * As {@link #load(Path, Family, ExtensionRegistry, Optional, HostNames)}, with the digest of
     * every input as it was read when {@code digestInputs} ({@link #inputDigests}).
     */
    public static RulesetSource load(Path file, Family defaultFamily, ExtensionRegistry registry,
                                     Optional<ValueResolver> resolver, HostNames names, boolean digestInputs) {
        Interpreter interpreter = new Interpreter(defaultFamily, new ApplyTimeValues(resolver), IncludePolicy.FOLLOW,
                digestInputs);
        interpreter.runMain(file, file.toString());
        return read(interpreter, defaultFamily, registry, names);
    }

    /**
     * Reads and checks ruleset text that is no file of its own: {@code name} stands for it in
     * messages and source references, and {@code includes} says whether it may read files.
     *
     * @param defaultFamily the family of a table whose line does not name one
     * @param resolver      looks up apply-time values; without one they are checked for form only
     * @param names         the names rules may use (services, protocols, users, hosts)
     */
    public static RulesetSource loadText(String name, String text, Family defaultFamily, ExtensionRegistry registry,
                                         Optional<ValueResolver> resolver, IncludePolicy includes, HostNames names) {
        Interpreter interpreter = new Interpreter(defaultFamily, new ApplyTimeValues(resolver), includes);
        interpreter.runMainText(name, text);
        return read(interpreter, defaultFamily, registry, names);
    }

    /** The interpreter's output parsed per family and checked, with everything found in source order. */
    private static RulesetSource read(Interpreter interpreter, Family defaultFamily, ExtensionRegistry registry,
                                      HostNames names) {
        List<Diagnostic> found = new ArrayList<>(interpreter.diagnostics());
        Map<Family, List<ExpandedLine>> output = interpreter.output();
        if (output.isEmpty()) {
            output = Map.of(defaultFamily, List.of());
        }
        Map<Family, FamilyRuleset> families = new EnumMap<>(Family.class);
        Map<Diagnostic, Set<Family>> parseErrors = new LinkedHashMap<>();
        Map<Diagnostic, ExpandedLine> parseLines = new LinkedHashMap<>();
        for (Map.Entry<Family, List<ExpandedLine>> entry : output.entrySet()) {
            Family family = entry.getKey();
            List<ExpandedLine> lines = entry.getValue();
            List<RulesetSyntaxException> errors = new ArrayList<>();
            SourcedRuleset parsed = new RulesetParser(registry, family, names)
                    .parseLines(lines.stream().map(ExpandedLine::text).toList(), errors::add);
            for (RulesetSyntaxException error : errors) {
                ExpandedLine line = lines.get(Math.min(Math.max(error.line(), 1), lines.size()) - 1);
                Diagnostic diagnostic = located(line, error);
                parseErrors.computeIfAbsent(diagnostic, d -> EnumSet.noneOf(Family.class)).add(family);
                parseLines.put(diagnostic, line);
            }
            families.put(family, new FamilyRuleset(family, parsed, lines, new RuleParser(registry, family, names)));
        }
        parseErrors.forEach((diagnostic, reportedIn) -> {
            Set<Family> sentTo = parseLines.get(diagnostic).families();
            found.add(reportedIn.containsAll(sentTo) ? diagnostic : new Diagnostic(diagnostic.severity(),
                    diagnostic.where(), diagnostic.message() + " (in the " + FamilyRouter.name(reportedIn.iterator()
                    .next()) + " rules)", diagnostic.hint()));
        });
        for (FamilyRuleset ruleset : families.values()) {
            found.addAll(new RulesetChecker(registry).check(ruleset.ruleset(), ruleset));
        }
        return new RulesetSource(families, inSourceOrder(found, interpreter.files()), interpreter.files(),
                interpreter.inputs(), interpreter.inputDigests());
    }

    /** A parser error on {@code line}, at the source column of its column, with its hint. */
    private static Diagnostic located(ExpandedLine line, RulesetSyntaxException error) {
        SourceRef where = line.where();
        int sourceColumn = error.column() > 0 ? line.mapped().sourceColumn(error.column()) : where.column();
        Diagnostic located = Diagnostic.error(new SourceRef(where.file(), where.line(), sourceColumn,
                where.includedFrom()), error.problem());
        return error.hint() == null ? located : located.withHint(error.hint());
    }

    /**
     * Each finding once, in the order its lines are read: an error in an included file comes where
     * its include statement is.
     */
    private static List<Diagnostic> inSourceOrder(List<Diagnostic> found, Map<String, SourceFile> files) {
        List<String> order = new ArrayList<>(files.keySet());
        Comparator<SourceRef> byPlace = Comparator.<SourceRef>comparingInt(ref -> order.indexOf(ref.file()))
                .thenComparingInt(SourceRef::line).thenComparingInt(SourceRef::column);
        Comparator<Diagnostic> byPath = (a, b) -> {
            List<SourceRef> x = path(a.where());
            List<SourceRef> y = path(b.where());
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                int compared = byPlace.compare(x.get(i), y.get(i));
                if (compared != 0) {
                    return compared;
                }
            }
            return Integer.compare(x.size(), y.size());
        };
        List<Diagnostic> unique = new ArrayList<>(new LinkedHashSet<>(found));
        unique.sort(byPath);
        return unique;
    }

    private static List<SourceRef> path(SourceRef where) {
        List<SourceRef> path = new ArrayList<>(where.includedFrom());
        path.add(where);
        return path;
    }

    /** The families the source has tables for, each with its ruleset. */
    public Map<Family, FamilyRuleset> families() {
        return families;
    }

    /** Every error and warning, in source order. */
    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }

    /**
     * What the reading depended on, as absolute paths: the main file and every file an include read
     * or looked for, and the directory of each include glob. A change to any of them, or a new file
     * in such a directory, may change what the source stands for; also read when it has errors.
     */
    public Set<Path> inputs() {
        return inputs;
    }

    /**
     * For each of {@link #inputs}, the {@link InputDigest} of what the reading read (a glob's
     * directory as listed before its glob was matched), when the load was asked for them; empty
     * otherwise. An input without one was not read (the reading failed there).
     */
    public Map<Path, String> inputDigests() {
        return inputDigests;
    }

    /** The files read, by the name messages use, for showing the lines findings point at. */
    public Map<String, SourceFile> files() {
        return files;
    }
}
