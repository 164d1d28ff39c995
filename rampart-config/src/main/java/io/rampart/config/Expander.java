package io.rampart.config;

import io.rampart.config.Scope.Binding;
import io.rampart.config.Scope.ListValue;
import io.rampart.config.Scope.Scalar;
import io.rampart.model.Family;
import io.rampart.model.extension.Suggestions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns one line of the language into the iptables lines it stands for: variables substituted, then
 * one line per combination of its lists (the leftmost list varies slowest), then apply-time values
 * looked up. Text inside double quotes is left exactly as written.
 */
final class Expander {

    /** More lines than this from one source line is a mistake, not a ruleset. */
    static final int MAX_LINES = 10_000;

    private final Scope scope;
    private final ApplyTimeValues values;

    Expander(Scope scope, ApplyTimeValues values) {
        this.scope = scope;
        this.values = values;
    }

    /** The lines {@code code} stands for, in a table for {@code families}. */
    List<MappedText> expand(MappedText code, Set<Family> families) throws LanguageException {
        if (isPlain(code.text())) {
            return List.of(code); // iptables-save text: nothing to expand
        }
        List<MappedText> out = new ArrayList<>();
        for (MappedText combination : expandLists(substituteScalars(code))) {
            out.addAll(resolveCalls(combination, families));
        }
        return out;
    }

    private static boolean isPlain(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '$' || c == '{' || c == '}' || c == '@') {
                return false;
            }
        }
        return true;
    }

    /** {@code $NAME} and {@code ${NAME}} of text variables replaced by their text; list variables stay. */
    MappedText substituteScalars(MappedText code) throws LanguageException {
        String text = code.text();
        boolean[] quoted = LineText.quotedMask(text);
        MappedText.Builder out = new MappedText.Builder();
        int i = 0;
        while (i < text.length()) {
            if (text.charAt(i) != '$' || quoted[i]) {
                out.append(code, i, i + 1);
                i++;
                continue;
            }
            Reference ref = reference(code, i);
            Binding binding = lookup(ref, code.columnAt(i));
            if (binding.value() instanceof Scalar scalar) {
                out.append(scalar.text(), code.columnAt(i));
            } else {
                out.append(code, i, ref.end());
            }
            i = ref.end();
        }
        return out.build();
    }

    /** One line per combination of the list variables and {@code {a,b}} lists in {@code code}. */
    List<MappedText> expandLists(MappedText code) throws LanguageException {
        return combinations(code, (line, i, quoted) -> {
            char c = line.text().charAt(i);
            if (c != '$' && c != '{' && c != '}') {
                return null;
            }
            int column = line.columnAt(i);
            if (c == '}') {
                throw new LanguageException("`}' without `{'", column);
            }
            if (c == '$') {
                Reference ref = reference(line, i);
                return new Alternatives(items(lookup(ref, column), column), ref.end());
            }
            int close = closingBrace(line, i, quoted);
            return new Alternatives(braceItems(line, i, close), close + 1);
        });
    }

    /** {@code @function(argument)} calls replaced by the addresses they stand for, one line each. */
    List<MappedText> resolveCalls(MappedText code, Set<Family> families) throws LanguageException {
        return combinations(code, (line, i, quoted) -> {
            String text = line.text();
            if (text.charAt(i) != '@' || !startsCall(text, i)) {
                return null;
            }
            int open = text.indexOf('(', i);
            int column = line.columnAt(i);
            String function = text.substring(i + 1, open);
            if (!ApplyTimeValues.FUNCTIONS.contains(function)) {
                String closest = Suggestions.closest(function, ApplyTimeValues.FUNCTIONS);
                throw new LanguageException("unknown function @" + function, column,
                        closest == null ? "the functions are @addr, @addr6, @host, @host4 and @host6"
                                : "did you mean @" + closest + "?");
            }
            int close = text.indexOf(')', open);
            if (close < 0) {
                throw new LanguageException("@" + function + "( without `)'", column);
            }
            String argument = text.substring(open + 1, close).strip();
            List<MappedText> addresses = new ArrayList<>();
            for (String address : values.values(function, argument, families, column)) {
                addresses.add(new MappedText.Builder().append(address, column).build());
            }
            return new Alternatives(addresses, close + 1);
        });
    }

    /** The texts that may stand at one place of a line, and the index just after what they replace. */
    private record Alternatives(List<MappedText> items, int end) {
    }

    /** Finds the alternatives that start at an unquoted index of a line, or null when none start there. */
    @FunctionalInterface
    private interface AlternativesAt {
        Alternatives find(MappedText line, int at, boolean[] quoted) throws LanguageException;
    }

    /** One line per combination of the alternatives found in {@code code}, the text between them as it is. */
    private static List<MappedText> combinations(MappedText code, AlternativesAt alternatives)
            throws LanguageException {
        String text = code.text();
        boolean[] quoted = LineText.quotedMask(text);
        List<List<MappedText>> parts = new ArrayList<>();
        int literalStart = 0;
        int i = 0;
        while (i < text.length()) {
            Alternatives found = quoted[i] ? null : alternatives.find(code, i, quoted);
            if (found == null) {
                i++;
                continue;
            }
            parts.add(List.of(code.slice(literalStart, i)));
            parts.add(found.items());
            i = found.end();
            literalStart = i;
        }
        parts.add(List.of(code.slice(literalStart, text.length())));
        return product(parts, code.firstColumn());
    }

    /** Whether an {@code @word(} call starts at {@code at}. */
    private static boolean startsCall(String text, int at) {
        int i = at + 1;
        while (i < text.length() && Character.isLetterOrDigit(text.charAt(i))) {
            i++;
        }
        return i > at + 1 && i < text.length() && text.charAt(i) == '(';
    }

    /** A {@code $NAME} or {@code ${NAME}} reference and the index just after it. */
    private record Reference(String name, int end) {
    }

    private static Reference reference(MappedText code, int dollar) throws LanguageException {
        String text = code.text();
        int column = code.columnAt(dollar);
        boolean braced = dollar + 1 < text.length() && text.charAt(dollar + 1) == '{';
        int start = dollar + (braced ? 2 : 1);
        int end = start;
        while (end < text.length() && isNameChar(text.charAt(end), end == start)) {
            end++;
        }
        if (end == start) {
            throw new LanguageException("`$' must be followed by a variable name", column,
                    "write `\"$\"' for a literal dollar sign");
        }
        if (braced) {
            if (end >= text.length() || text.charAt(end) != '}') {
                throw new LanguageException("`${" + text.substring(start, end) + "' without `}'", column);
            }
            end++;
        }
        return new Reference(text.substring(start, braced ? end - 1 : end), end);
    }

    static boolean isNameChar(char c, boolean first) {
        return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9');
    }

    private Binding lookup(Reference ref, int column) throws LanguageException {
        return scope.lookup(ref.name()).orElseThrow(() -> {
            String closest = Suggestions.closest(ref.name(), scope.names());
            return new LanguageException("undefined variable $" + ref.name(), column,
                    closest == null ? "define it first: `define " + ref.name() + " = ...'"
                            : "did you mean $" + closest + "?");
        });
    }

    private static List<MappedText> items(Binding binding, int column) {
        List<String> items = binding.value() instanceof ListValue list ? list.items()
                : List.of(((Scalar) binding.value()).text());
        List<MappedText> out = new ArrayList<>();
        items.forEach(item -> out.add(new MappedText.Builder().append(item, column).build()));
        return out;
    }

    private static int closingBrace(MappedText code, int open, boolean[] quoted) throws LanguageException {
        String text = code.text();
        for (int i = open + 1; i < text.length(); i++) {
            if (quoted[i]) {
                continue;
            }
            if (text.charAt(i) == '{') {
                throw new LanguageException("lists do not nest: `{' inside `{...}'", code.columnAt(i));
            }
            if (text.charAt(i) == '}') {
                return i;
            }
        }
        throw new LanguageException("`{' without `}'", code.columnAt(open));
    }

    /** The elements of {@code {a, b, $LIST}}: blanks around them dropped, list variables spread. */
    private List<MappedText> braceItems(MappedText code, int open, int close) throws LanguageException {
        List<MappedText> items = new ArrayList<>();
        int start = open + 1;
        for (int i = open + 1; i <= close; i++) {
            if (i < close && code.text().charAt(i) != ',') {
                continue;
            }
            MappedText item = trimmed(code.slice(start, i));
            int column = code.columnAt(Math.min(start, close));
            if (item.text().isEmpty()) {
                throw new LanguageException("empty element in list", column);
            }
            if (item.text().startsWith("$")) {
                Reference ref = reference(item, 0);
                if (ref.end() != item.text().length()) {
                    throw new LanguageException("a variable in `{...}' must be a whole element", column);
                }
                items.addAll(items(lookup(ref, column), column));
            } else if (item.text().indexOf('$') >= 0) {
                throw new LanguageException("a variable in `{...}' must be a whole element",
                        item.columnAt(item.text().indexOf('$')));
            } else {
                items.add(item);
            }
            start = i + 1;
        }
        return items;
    }

    private static MappedText trimmed(MappedText text) {
        int start = 0;
        int end = text.text().length();
        while (start < end && LineText.isBlank(text.text().charAt(start))) {
            start++;
        }
        while (end > start && LineText.isBlank(text.text().charAt(end - 1))) {
            end--;
        }
        return text.slice(start, end);
    }

    private static List<MappedText> product(List<List<MappedText>> parts, int column) throws LanguageException {
        long count = 1;
        for (List<MappedText> part : parts) {
            count *= part.size();
            if (count > MAX_LINES) {
                throw new LanguageException("the lists of this line expand into more than " + MAX_LINES
                        + " rules", column);
            }
        }
        List<MappedText.Builder> lines = new ArrayList<>(List.of(new MappedText.Builder()));
        for (List<MappedText> part : parts) {
            if (part.size() == 1) {
                lines.forEach(line -> line.append(part.get(0)));
                continue;
            }
            List<MappedText.Builder> next = new ArrayList<>();
            for (MappedText.Builder line : lines) {
                MappedText prefix = line.build();
                for (MappedText item : part) {
                    next.add(new MappedText.Builder().append(prefix).append(item));
                }
            }
            lines = next;
        }
        return lines.stream().map(MappedText.Builder::build).toList();
    }
}
