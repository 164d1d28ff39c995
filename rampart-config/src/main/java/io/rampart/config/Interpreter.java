package io.rampart.config;

import io.rampart.config.Scope.Binding;
import io.rampart.config.Scope.ListValue;
import io.rampart.config.Scope.Scalar;
import io.rampart.model.Family;
import io.rampart.model.extension.Suggestions;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs the statements of a ruleset file and the files it includes, in order, and hands each family
 * the iptables-restore lines they stand for. Every mistake is reported and the run goes on with the
 * next line, so one run finds them all.
 */
final class Interpreter {

    static final List<String> KEYWORDS = List.of("define", "include", "if", "else", "end", "macro", "use");

    private static final Pattern TABLE = Pattern.compile("\\*(\\S+)(?:\\s+(\\S+))?(\\s+.*)?");
    private static final Pattern DIRECTIVE = Pattern.compile("#\\s*rampart:.*");
    private static final List<String> FAMILY_WORDS = List.of("ipv4", "ipv6", "both");

    /** A line of a source file with where it is. */
    private record Line(String text, SourceRef where) {
    }

    /** The file being run: where it is, and the name messages use, relative to the main file's. */
    private record Origin(Path path, Path name) {
    }

    /** A macro and the file it was defined in, which its includes are relative to. */
    private record Macro(String name, List<String> parameters, List<Line> body, SourceRef where, Origin origin) {
    }

    /** The table being written: its header line's name, the families it is for, and where it opened. */
    private record OpenTable(String table, Set<Family> families, boolean routed, SourceRef where) {
    }

    private final Family defaultFamily;
    private final ApplyTimeValues values;
    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private final Map<Family, List<ExpandedLine>> out = new EnumMap<>(Family.class);
    private final Map<String, SourceFile> files = new LinkedHashMap<>();
    private final Set<Path> inputs = new LinkedHashSet<>();
    /** What each input was as it was read, when asked for (null otherwise: hashing every file costs). */
    private final Map<Path, String> digests;
    private final Deque<Path> including = new ArrayDeque<>();
    private final Map<String, Macro> macros = new HashMap<>();
    private final Deque<String> using = new ArrayDeque<>();
    private final Scope globals = Scope.global();
    private OpenTable section;
    private final IncludePolicy includes;

    Interpreter(Family defaultFamily, ApplyTimeValues values, IncludePolicy includes) {
        this(defaultFamily, values, includes, false);
    }

    /** @param digestInputs whether to keep, for each input, the {@link InputDigest} of what was read */
    Interpreter(Family defaultFamily, ApplyTimeValues values, IncludePolicy includes, boolean digestInputs) {
        this.defaultFamily = defaultFamily;
        this.values = values;
        this.includes = includes;
        this.digests = digestInputs ? new LinkedHashMap<>() : null;
    }

    List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    Map<Family, List<ExpandedLine>> output() {
        return out;
    }

    Map<String, SourceFile> files() {
        return files;
    }

    /** Every file the run read or looked for, and every directory a glob listed, as absolute paths. */
    Set<Path> inputs() {
        return inputs;
    }

    /**
     * For each input, the {@link InputDigest} of what the run read: a file's text, a glob's directory
     * as listed before the glob was matched; empty unless asked for. An input the run did not read
     * whole (the read failed), or read twice and found changed, is {@link InputDigest#CHANGED}.
     */
    Map<Path, String> inputDigests() {
        if (digests == null) {
            return Map.of();
        }
        Map<Path, String> all = new LinkedHashMap<>();
        inputs.forEach(input -> all.put(input, digests.getOrDefault(input, InputDigest.CHANGED)));
        return all;
    }

    private void digested(Path input, Supplier<String> digest) {
        if (digests != null) {
            String now = digest.get();
            digests.merge(input, now, (before, again) -> before.equals(again) ? before : InputDigest.CHANGED);
        }
    }

    /**
     * The input a path given to the run stands for, as an absolute path that names the file opened:
     * normalized, but for a path that climbs with `..', which the kernel resolves after any link before it.
     */
    private static Path inputPath(Path file) {
        Path absolute = file.toAbsolutePath();
        for (Path element : absolute) {
            if (element.toString().equals("..")) {
                return absolute;
            }
        }
        return absolute.normalize();
    }

    /** Runs {@code file}, named {@code name} in messages; a file that cannot be read is an error. */
    void runMain(Path file, String name) {
        runFile(file, name, List.of(), null);
        endMain();
    }

    /**
     * Runs {@code text} as the main file named {@code name}; its includes, when they are followed,
     * are relative to the working directory.
     */
    void runMainText(String name, String text) {
        runLines(Path.of(name), name, LineText.lines(text), List.of());
        endMain();
    }

    private void endMain() {
        if (section != null) {
            report(Diagnostic.error(section.where(), "table " + section.table() + " has no COMMIT"));
            emit(section.families(), "COMMIT", section.where());
            section = null;
        }
    }

    private void runFile(Path file, String name, List<SourceRef> chain, SourceRef site) {
        Path input = inputPath(file);
        inputs.add(input);
        List<String> text;
        try {
            String read = Files.readString(file);
            digested(input, () -> InputDigest.ofText(read));
            text = LineText.lines(read);
        } catch (NoSuchFileException e) {
            report(site == null ? Diagnostic.error(new SourceRef(name, 0, 0), "no such file")
                    : Diagnostic.error(site, "no such file: " + name));
            return;
        } catch (IOException e) {
            // A decoding failure's own message is only a byte count.
            String why = e instanceof CharacterCodingException ? "not UTF-8 text" : e.getMessage();
            report(site == null ? Diagnostic.error(new SourceRef(name, 0, 0), "cannot read: " + why)
                    : Diagnostic.error(site, "cannot read " + name + ": " + why));
            return;
        }
        runLines(file, name, text, chain);
    }

    private void runLines(Path file, String name, List<String> text, List<SourceRef> chain) {
        files.put(name, new SourceFile(name, text));
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < text.size(); i++) {
            lines.add(new Line(text.get(i), new SourceRef(name, i + 1, LineText.indentColumn(text.get(i)), chain)));
        }
        including.push(real(file));
        try {
            run(lines, 0, lines.size(), globals, new Origin(file, Path.of(name)));
        } finally {
            including.pop();
        }
    }

    private static Path real(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException e) {
            return file.toAbsolutePath().normalize();
        }
    }

    /** Runs {@code lines[from, to)} of {@code file} in {@code scope}. */
    private void run(List<Line> lines, int from, int to, Scope scope, Origin file) {
        int i = from;
        while (i < to) {
            Line line = lines.get(i);
            String code = LineText.code(line.text());
            String keyword = LineText.firstWord(code);
            try {
                switch (keyword) {
                    case "if" -> {
                        i = conditional(lines, i, to, scope, file);
                        continue;
                    }
                    case "macro" -> {
                        i = macro(lines, i, to, file);
                        continue;
                    }
                    case "else", "end" -> throw new LanguageException("`" + keyword + "' without `if' or `macro'",
                            line.where().column());
                    case "define" -> define(line, code, scope);
                    case "include" -> include(line, code, scope, file);
                    case "use" -> use(line, code, scope);
                    default -> statement(line, code, keyword, scope);
                }
            } catch (LanguageException e) {
                report(e, line.where());
            }
            i++;
        }
    }

    private void report(Diagnostic diagnostic) {
        diagnostics.add(diagnostic);
    }

    private void report(LanguageException e, SourceRef line) {
        Diagnostic error = Diagnostic.error(at(line, e.column()), e.problem());
        report(e.hint() == null ? error : error.withHint(e.hint()));
    }

    private static SourceRef at(SourceRef line, int column) {
        return new SourceRef(line.file(), line.line(), Math.max(1, column), line.includedFrom());
    }

    /** The column of {@code word} after the line's first word (the keyword), or the line's own column. */
    private static int columnOf(Line line, String word) {
        int keywordEnd = line.where().column() - 1 + LineText.firstWord(line.text()).length();
        int index = line.text().indexOf(word, Math.min(keywordEnd, line.text().length()));
        return index < 0 ? line.where().column() : index + 1;
    }

    /** A table line, COMMIT, a rampart directive, a chain declaration or a rule. */
    private void statement(Line line, String code, String keyword, Scope scope) throws LanguageException {
        String stripped = line.text().strip();
        if (stripped.startsWith("#") && DIRECTIVE.matcher(stripped).matches()) {
            if (section == null) {
                throw new LanguageException("`# rampart:' directives belong inside a *table section",
                        line.where().column());
            }
            emit(section.families(), MappedText.of(line.text()), line.where());
            return;
        }
        if (code.isBlank()) {
            return;
        }
        if (!keyword.isEmpty() && Character.isLetter(keyword.charAt(0)) && !keyword.equals("COMMIT")) {
            String closest = Suggestions.closest(keyword, KEYWORDS);
            throw new LanguageException("unknown statement `" + keyword + "'", line.where().column(),
                    closest != null ? "did you mean `" + closest + "'?"
                            : "a line is a *table, :CHAIN, rule, COMMIT or one of " + String.join(", ", KEYWORDS));
        }
        if (stripped.startsWith("*")) {
            table(line, LineText.collapseBlanks(code));
        } else if (keyword.equals("COMMIT")) {
            if (section == null) {
                throw new LanguageException("COMMIT outside a table", line.where().column());
            }
            if (!LineText.collapseBlanks(code).equals("COMMIT")) {
                throw new LanguageException("COMMIT stands alone on its line", line.where().column() + 6);
            }
            emit(section.families(), "COMMIT", line.where());
            section = null;
        } else if (section == null) {
            throw new LanguageException("expected a *table line first", line.where().column());
        } else {
            rule(line, code, scope);
        }
    }

    private void table(Line line, String header) throws LanguageException {
        Matcher matcher = TABLE.matcher(header);
        if (!matcher.matches() || matcher.group(3) != null) {
            throw new LanguageException("a table line is `*TABLE' or `*TABLE ipv4|ipv6|both'", line.where().column());
        }
        if (section != null) {
            report(Diagnostic.error(line.where(), "table " + section.table() + " has no COMMIT before the next table"));
            emit(section.families(), "COMMIT", line.where());
            section = null;
        }
        String word = matcher.group(2);
        Set<Family> families;
        if (word == null) {
            families = EnumSet.of(defaultFamily);
        } else {
            families = switch (word) {
                case "ipv4" -> EnumSet.of(Family.IPV4);
                case "ipv6" -> EnumSet.of(Family.IPV6);
                case "both" -> EnumSet.allOf(Family.class);
                default -> {
                    String closest = Suggestions.closest(word, FAMILY_WORDS);
                    throw new LanguageException("unknown address family `" + word + "'", columnOf(line, word),
                            closest != null ? "did you mean `" + closest + "'?" : "write ipv4, ipv6 or both");
                }
            };
        }
        section = new OpenTable(matcher.group(1), Set.copyOf(families), families.size() == 2, line.where());
        emit(families, "*" + matcher.group(1), line.where());
    }

    /** A chain declaration or rule: expanded, each resulting line routed, all emitted or none. */
    private void rule(Line line, String code, Scope scope) throws LanguageException {
        Expander expander = new Expander(scope, values);
        MappedText written = MappedText.of(code).slice(line.where().column() - 1, code.length());
        warnQuotedVariables(written, scope, line.where());
        List<MappedText> expanded = expander.expand(written, section.families());
        List<Set<Family>> routes = new ArrayList<>();
        for (MappedText text : expanded) {
            Set<Family> families = section.families();
            if (section.routed() && !text.text().strip().startsWith(":")) {
                try {
                    families = FamilyRouter.route(text.text());
                } catch (LanguageException e) {
                    throw new LanguageException(e.problem(), text.sourceColumn(e.column()), e.hint());
                }
            }
            routes.add(families);
        }
        for (int i = 0; i < expanded.size(); i++) {
            emit(routes.get(i), expanded.get(i), line.where());
        }
    }

    /** A defined variable written inside quotes stays as written there: most likely not what was meant. */
    private void warnQuotedVariables(MappedText code, Scope scope, SourceRef where) {
        String text = code.text();
        if (text.indexOf('$') < 0) {
            return;
        }
        boolean[] quoted = LineText.quotedMask(text);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) != '$' || !quoted[i]) {
                continue;
            }
            int start = i + 1 < text.length() && text.charAt(i + 1) == '{' ? i + 2 : i + 1;
            int end = start;
            while (end < text.length() && Expander.isNameChar(text.charAt(end), end == start)) {
                end++;
            }
            String name = text.substring(start, end);
            if (!name.isEmpty() && scope.lookup(name).isPresent()) {
                report(Diagnostic.warning(at(where, code.columnAt(i)), "$" + name
                        + " inside double quotes is not substituted").withHint("quoted text is kept as written;"
                        + " to use a variable there, give it the whole quoted text: define " + name
                        + " = \"...\""));
            }
        }
    }

    private void emit(Set<Family> families, String text, SourceRef where) {
        emit(families, MappedText.at(text, where.column()), where);
    }

    private void emit(Set<Family> families, MappedText text, SourceRef where) {
        for (Family family : families) {
            out.computeIfAbsent(family, f -> new ArrayList<>()).add(new ExpandedLine(text, where, families));
        }
    }

    private void define(Line line, String code, Scope scope) throws LanguageException {
        Matcher matcher = Statements.DEFINE.matcher(code.strip());
        if (!matcher.matches()) {
            throw new LanguageException("a definition is `define NAME = VALUE' or `define NAME = { A, B }'",
                    line.where().column());
        }
        String name = matcher.group(1);
        checkName(name, columnOf(line, name));
        int valueStart = code.length() - matcher.group(2).length();
        Scope.Value value = value(MappedText.of(code).slice(valueStart, code.length()), scope, columnOf(line, "="));
        Binding binding = new Binding(value, at(line.where(), columnOf(line, name)));
        Binding earlier = scope.define(name, binding).orElse(null);
        if (earlier != null) {
            throw new LanguageException("variable " + name + " is already defined at " + earlier.where(),
                    columnOf(line, name));
        }
    }

    private static void checkName(String name, int column) throws LanguageException {
        boolean valid = !name.isEmpty();
        for (int i = 0; i < name.length() && valid; i++) {
            valid = Expander.isNameChar(name.charAt(i), i == 0);
        }
        if (!valid) {
            throw new LanguageException("`" + name + "' is not a name: letters, digits and `_', not starting"
                    + " with a digit", column);
        }
    }

    /** A value as written after {@code =} or as a macro argument: a list, a list variable, or text. */
    private Scope.Value value(MappedText written, Scope scope, int column) throws LanguageException {
        Expander expander = new Expander(scope, values);
        MappedText text = expander.substituteScalars(written);
        String stripped = text.text().strip();
        if (stripped.isEmpty()) {
            throw new LanguageException("missing value", column);
        }
        if (stripped.startsWith("{")) {
            if (!stripped.endsWith("}")) {
                throw new LanguageException("a list value ends with `}'", text.sourceColumn(text.text().length()));
            }
            return new ListValue(expander.expandLists(text).stream().map(t -> t.text().strip()).toList());
        }
        if (stripped.startsWith("$") && stripped.indexOf(' ') < 0) {
            Binding binding = scope.lookup(stripped.replaceAll("[${}]", "")).orElse(null);
            if (binding != null && binding.value() instanceof ListValue list) {
                return list;
            }
        }
        return new Scalar(stripped);
    }

    private void include(Line line, String code, Scope scope, Origin file) throws LanguageException {
        if (!includes.follows()) {
            throw new LanguageException(includes.refusal(), line.where().column());
        }
        String argument = code.strip().substring("include".length()).strip();
        if (argument.isEmpty()) {
            throw new LanguageException("include needs a file: `include \"rules.d/*.rules\"'", line.where().column());
        }
        int column = columnOf(line, argument);
        String pattern = new Expander(scope, values).substituteScalars(MappedText.of(argument)).text();
        if (pattern.startsWith("\"")) {
            if (pattern.length() < 2 || !pattern.endsWith("\"")) {
                throw new LanguageException("unterminated double quote", column);
            }
            pattern = pattern.substring(1, pattern.length() - 1);
        }
        Path base = file.path().toAbsolutePath().getParent();
        Path relativeBase = file.name().getParent();
        // A file made later, or a new match of the glob, changes what this include reads.
        Path named = base.resolve(pattern).normalize();
        Path input = isGlob(pattern) ? named.getParent() : named;
        if (isGlob(pattern)) {
            // Before the listing the glob is matched on: a file made between the two is a change.
            digested(input, () -> InputDigest.of(input));
        }
        List<Path> matches = matches(base, pattern, column);
        inputs.add(input);
        if (matches.isEmpty()) {
            if (isGlob(pattern)) {
                report(Diagnostic.warning(at(line.where(), column), "`" + pattern + "' matches no file"));
                return;
            }
            throw new LanguageException("no such file: " + display(relativeBase, pattern), column);
        }
        SourceRef site = at(line.where(), line.where().column());
        List<SourceRef> chain = new ArrayList<>(line.where().includedFrom());
        chain.add(site);
        for (Path match : matches) {
            String relative = base.relativize(match).toString();
            String name = display(relativeBase, relative);
            if (including.contains(real(match))) {
                List<String> cycle = new ArrayList<>();
                chain.forEach(ref -> cycle.add(ref.file()));
                cycle.add(name);
                throw new LanguageException("include cycle: " + String.join(" -> ", cycle), column);
            }
            runFile(match, name, chain, site);
        }
    }

    private static String display(Path relativeBase, String relative) {
        return relativeBase == null ? relative : relativeBase.resolve(relative).toString();
    }

    private static boolean isGlob(String pattern) {
        return pattern.chars().anyMatch(c -> c == '*' || c == '?' || c == '[');
    }

    /** The files {@code pattern} names, relative to {@code base}, sorted; only the last part may be a glob. */
    private static List<Path> matches(Path base, String pattern, int column) throws LanguageException {
        Path target = base.resolve(pattern).normalize();
        if (!isGlob(pattern)) {
            return Files.isRegularFile(target) ? List.of(target) : List.of();
        }
        Path dir = target.getParent();
        if (isGlob(dir.toString())) {
            throw new LanguageException("only the file name of an include may hold wildcards, not its directories",
                    column);
        }
        var matcher = dir.getFileSystem().getPathMatcher("glob:" + target.getFileName());
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> listed = Files.list(dir)) {
            return listed.filter(p -> matcher.matches(p.getFileName()) && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new LanguageException("cannot list " + dir + ": " + e.getMessage(), column);
        }
    }

    /** Runs the taken branch of an {@code if} at {@code at}; returns the index after its {@code end}. */
    private int conditional(List<Line> lines, int at, int to, Scope scope, Origin file) {
        Line line = lines.get(at);
        int[] block = block(lines, at, to, true);
        int elseAt = block[0];
        int endAt = block[1];
        boolean holds;
        try {
            if (endAt < 0) {
                throw new LanguageException("`if' without `end'", line.where().column());
            }
            holds = condition(line, scope);
        } catch (LanguageException e) {
            report(e, line.where());
            return endAt < 0 ? to : endAt + 1;
        }
        if (holds) {
            run(lines, at + 1, elseAt >= 0 ? elseAt : endAt, scope, file);
        } else if (elseAt >= 0) {
            checkAlone(lines.get(elseAt), "else");
            run(lines, elseAt + 1, endAt, scope, file);
        }
        checkAlone(lines.get(endAt), "end");
        return endAt + 1;
    }

    private void checkAlone(Line line, String keyword) {
        if (!LineText.collapseBlanks(LineText.code(line.text())).equals(keyword)) {
            report(Diagnostic.error(line.where(), "`" + keyword + "' stands alone on its line"));
        }
    }

    /**
     * The {@code else} (-1 if none, always -1 for a macro) and {@code end} (-1 if none) that close the
     * block opened at {@code at}, counting the blocks nested in it.
     */
    private static int[] block(List<Line> lines, int at, int to, boolean mayHaveElse) {
        int depth = 0;
        int elseAt = -1;
        for (int i = at + 1; i < to; i++) {
            String keyword = LineText.firstWord(LineText.code(lines.get(i).text()));
            if (keyword.equals("if") || keyword.equals("macro")) {
                depth++;
            } else if (keyword.equals("end")) {
                if (depth == 0) {
                    return new int[] {elseAt, i};
                }
                depth--;
            } else if (keyword.equals("else") && depth == 0 && mayHaveElse && elseAt < 0) {
                elseAt = i;
            }
        }
        return new int[] {elseAt, -1};
    }

    private boolean condition(Line line, Scope scope) throws LanguageException {
        String code = LineText.code(line.text()).strip();
        String condition = code.substring(2).strip();
        int column = columnOf(line, condition.isEmpty() ? "if" : condition);
        if (condition.startsWith("defined ")) {
            String name = condition.substring("defined ".length()).strip();
            checkName(name, columnOf(line, name));
            return scope.lookup(name).isPresent();
        }
        MappedText text = MappedText.of(line.text()).slice(column - 1, column - 1 + condition.length());
        String substituted = new Expander(scope, values).substituteScalars(text).text();
        boolean[] quoted = LineText.quotedMask(substituted);
        for (String operator : List.of("==", "!=")) {
            int index = substituted.indexOf(operator);
            while (index >= 0 && quoted[index]) {
                index = substituted.indexOf(operator, index + 1);
            }
            if (index >= 0) {
                return operator.equals("==") == side(substituted.substring(0, index), column)
                        .equals(side(substituted.substring(index + 2), column));
            }
        }
        throw new LanguageException("a condition is `$VAR == value', `$VAR != value' or `defined VAR'", column);
    }

    /** One side of a comparison: quoted text as written, else the substituted word. */
    private static String side(String text, int column) throws LanguageException {
        String word = text.strip();
        if (word.length() >= 2 && word.startsWith("\"") && word.endsWith("\"")) {
            return word.substring(1, word.length() - 1);
        }
        if (word.startsWith("$")) {
            throw new LanguageException("a list cannot be compared", column);
        }
        return word;
    }

    /** Records the macro defined at {@code at}; returns the index after its {@code end}. */
    private int macro(List<Line> lines, int at, int to, Origin file) {
        Line line = lines.get(at);
        int endAt = block(lines, at, to, false)[1];
        try {
            if (endAt < 0) {
                throw new LanguageException("`macro' without `end'", line.where().column());
            }
            Matcher matcher = Statements.CALL.matcher(LineText.code(line.text()).strip());
            if (!matcher.matches()) {
                throw new LanguageException("a macro starts `macro NAME(PARAMETER, ...)'", line.where().column());
            }
            String name = matcher.group(2);
            checkName(name, columnOf(line, name));
            List<String> parameters = new ArrayList<>();
            for (String parameter : splitArguments(matcher.group(3))) {
                String p = parameter.strip();
                checkName(p, columnOf(line, p));
                if (parameters.contains(p)) {
                    throw new LanguageException("parameter " + p + " appears twice", columnOf(line, p));
                }
                parameters.add(p);
            }
            Macro earlier = macros.get(name);
            if (earlier != null) {
                throw new LanguageException("macro " + name + " is already defined at " + earlier.where(),
                        columnOf(line, name));
            }
            macros.put(name, new Macro(name, parameters, List.copyOf(lines.subList(at + 1, endAt)),
                    at(line.where(), columnOf(line, name)), file));
            checkAlone(lines.get(endAt), "end");
        } catch (LanguageException e) {
            report(e, line.where());
        }
        return endAt < 0 ? to : endAt + 1;
    }

    private void use(Line line, String code, Scope scope) throws LanguageException {
        Matcher matcher = Statements.CALL.matcher(code.strip());
        if (!matcher.matches()) {
            throw new LanguageException("a macro is used as `use NAME(ARGUMENT, ...)'", line.where().column());
        }
        String name = matcher.group(2);
        Macro macro = macros.get(name);
        if (macro == null) {
            String closest = Suggestions.closest(name, macros.keySet());
            throw new LanguageException("undefined macro " + name, columnOf(line, name),
                    closest != null ? "did you mean " + closest + "?" : "define it above: `macro " + name + "(...)'");
        }
        if (using.contains(name)) {
            throw new LanguageException("macro " + name + " uses itself: " + String.join(" -> ", outermostFirst(using))
                    + " -> " + name, columnOf(line, name));
        }
        int argumentsStart = code.indexOf('(', code.indexOf(name)) + 1;
        List<String> arguments = splitArguments(matcher.group(3));
        if (arguments.size() != macro.parameters().size()) {
            throw new LanguageException("macro " + name + " takes " + macro.parameters().size() + " argument"
                    + (macro.parameters().size() == 1 ? "" : "s") + " (" + String.join(", ", macro.parameters())
                    + "), not " + arguments.size(), columnOf(line, name));
        }
        Scope inner = scope.child();
        int offset = argumentsStart;
        MappedText whole = MappedText.of(code);
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            MappedText written = whole.slice(offset, offset + argument.length());
            SourceRef where = at(line.where(), offset + 1);
            inner.bind(macro.parameters().get(i), new Binding(value(written, scope, offset + 1), where));
            offset += argument.length() + 1;
        }
        List<SourceRef> chain = new ArrayList<>(line.where().includedFrom());
        chain.add(at(line.where(), line.where().column()));
        List<Line> body = new ArrayList<>();
        for (Line bodyLine : macro.body()) {
            SourceRef ref = bodyLine.where();
            body.add(new Line(bodyLine.text(), new SourceRef(ref.file(), ref.line(), ref.column(), chain)));
        }
        using.push(name);
        try {
            run(body, 0, body.size(), inner, macro.origin());
        } finally {
            using.pop();
        }
    }

    private static List<String> outermostFirst(Deque<String> stack) {
        List<String> names = new ArrayList<>(stack);
        Collections.reverse(names);
        return names;
    }

    /** {@code a, {b, c}, "d, e"} split at the commas outside braces and quotes; none for blank text. */
    private static List<String> splitArguments(String text) {
        return text.isBlank() ? List.of() : LineText.splitAtTopLevelCommas(text);
    }
}
