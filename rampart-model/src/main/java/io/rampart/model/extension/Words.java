package io.rampart.model.extension;

import io.rampart.model.value.WordSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** Argument types made of words: one of a set, or a comma-separated set of them. */
public final class Words {

    private Words() {
    }

    /** One of a fixed set of words; aliases map to their canonical word. */
    public static ValueType choice(String name, Map<String, String> wordsAndAliases) {
        Map<String, String> words = new LinkedHashMap<>(wordsAndAliases);
        String syntax = String.join("|", new LinkedHashSet<>(words.values()));
        return Values.of(name, syntax, (raw, ctx) -> {
            String canonical = words.get(raw);
            if (canonical == null) {
                throw new InvalidValueException("`" + raw + "' is not one of " + syntax.replace("|", ", ")
                        , Suggestions.hint(raw, words.keySet()));
            }
            return canonical;
        });
    }

    /** One of the given words, each its own canonical spelling. */
    public static ValueType choice(String name, String... words) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String word : words) {
            map.put(word, word);
        }
        return choice(name, map);
    }

    /**
     * A comma-separated set of words printed in a fixed order (the kernel keeps a bit mask), e.g.
     * conntrack states. {@code aliases} maps extra input spellings to canonical words.
     */
    public static ValueType wordSet(String name, List<String> canonicalOrder, Map<String, String> aliases,
                                    Function<String, String> normalizeInput) {
        String syntax = String.join(",", canonicalOrder) + " (any of them)";
        return Values.typed(name, syntax, (raw, ctx) -> {
            boolean[] seen = new boolean[canonicalOrder.size()];
            if (raw.isEmpty()) {
                throw new InvalidValueException("an empty list of " + name);
            }
            for (String part : raw.split(",", -1)) {
                String word = normalizeInput.apply(part);
                word = aliases.getOrDefault(word, word);
                int index = canonicalOrder.indexOf(word);
                if (index < 0) {
                    throw new InvalidValueException("`" + part + "' is not one of " + String.join(", ", canonicalOrder)
                            , Suggestions.hint(part, canonicalOrder));
                }
                seen[index] = true;
            }
            return String.join(",", inOrder(seen, canonicalOrder));
        }, WordSet::parse);
    }

    /** The words of {@code order} whose flag is set, in that order: how a kernel bit mask prints. */
    public static <T> List<T> inOrder(boolean[] seen, List<T> order) {
        List<T> out = new ArrayList<>();
        for (int i = 0; i < seen.length; i++) {
            if (seen[i]) {
                out.add(order.get(i));
            }
        }
        return out;
    }

    public static Function<String, String> upperCase() {
        return word -> word.toUpperCase(Locale.ROOT);
    }

    /**
     * A comma-separated list of flag words, each possibly abbreviated and in any case (iptables
     * compares with strncasecmp, trying the words in {@code parseOrder}); printed in
     * {@code printOrder}. {@code emptyWord}, when not null, is a word that sets no bit and is
     * printed only alone.
     */
    public static ValueType abbreviatedWordSet(String name, List<String> parseOrder, List<String> printOrder,
                                               String emptyWord) {
        return Values.typed(name, String.join(",", printOrder) + "[,...]", (raw, ctx) -> {
            boolean[] seen = new boolean[printOrder.size()];
            for (String part : raw.split(",", -1)) {
                String word = matchAbbreviation(part, parseOrder);
                if (word == null) {
                    List<String> all = new ArrayList<>(printOrder);
                    if (emptyWord != null) {
                        all.add(emptyWord);
                    }
                    throw new InvalidValueException("bad " + name + " `" + part + "': use " + String.join(", ", all)
                            , Suggestions.hint(part, all));
                }
                if (!word.equals(emptyWord)) {
                    seen[printOrder.indexOf(word)] = true;
                }
            }
            List<String> out = inOrder(seen, printOrder);
            return out.isEmpty() ? emptyWord : String.join(",", out);
        }, WordSet::parse);
    }

    private static String matchAbbreviation(String part, List<String> words) {
        if (part.isEmpty()) {
            return null;
        }
        String upper = part.toUpperCase(Locale.ROOT);
        for (String word : words) {
            if (word.startsWith(upper)) {
                return word;
            }
        }
        return null;
    }

    /** One of the given words in any case, printed in upper case. */
    public static ValueType upperCaseChoice(String name, String... words) {
        return Values.of(name, String.join("|", words), (raw, ctx) -> {
            String upper = raw.toUpperCase(Locale.ROOT);
            if (!List.of(words).contains(upper)) {
                throw new InvalidValueException("`" + raw + "' is not one of " + String.join(", ", words)
                        , Suggestions.hint(raw, List.of(words)));
            }
            return upper;
        });
    }
}
