package io.rampart.config.check;

import io.rampart.config.SourceRef;
import io.rampart.model.extension.ExtensionKind;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.OptionSpec;
import java.util.List;
import java.util.Optional;

/**
 * The written words of one rule, searched the way the rule parser reads them: where an extension
 * is loaded, where an option stands (by any of its names or an abbreviation) and what was written
 * as its argument. Without words, everything points at the rule's start.
 */
final class RuleWords {

    private final List<SourceWord> words;
    private final SourceRef start;

    RuleWords(List<SourceWord> words, SourceRef start) {
        this.words = List.copyOf(words);
        this.start = start;
    }

    SourceRef start() {
        return start;
    }

    /** Where the rule names the extension: the word after {@code -m} or {@code -j}/{@code -g}. */
    SourceRef extension(ExtensionSpec spec) {
        return loaded(spec).map(i -> words.get(i).where()).orElse(start);
    }

    /** Where the rule names its target or the chain it jumps to (the last {@code -j}/{@code -g}). */
    SourceRef target() {
        for (int i = words.size() - 2; i >= 0; i--) {
            if (isTargetWord(words.get(i).text())) {
                return words.get(i + 1).where();
            }
        }
        return start;
    }

    /** Where an option of the extension (the header's for {@code -i}, {@code -p} ...) was written. */
    SourceRef option(ExtensionSpec owner, OptionSpec option) {
        return optionIndex(owner, option).map(i -> words.get(i).where()).orElse(start);
    }

    /** The argument written for a one-argument option, quotes removed; empty when it cannot be told. */
    Optional<String> argument(ExtensionSpec owner, OptionSpec option) {
        return argumentWord(owner, option).map(SourceWord::text);
    }

    /** Where that argument was written; where the option was when it is attached ({@code --name=value}). */
    SourceRef argumentWhere(ExtensionSpec owner, OptionSpec option) {
        return argumentWord(owner, option).map(SourceWord::where).orElse(start);
    }

    private Optional<SourceWord> argumentWord(ExtensionSpec owner, OptionSpec option) {
        Optional<Integer> at = optionIndex(owner, option);
        if (at.isEmpty()) {
            return Optional.empty();
        }
        SourceWord word = words.get(at.get());
        int equals = word.text().indexOf('=');
        if (word.text().startsWith("--") && equals > 0) {
            return Optional.of(new SourceWord(word.text().substring(equals + 1), word.where()));
        }
        int next = at.get() + 1;
        return next < words.size() ? Optional.of(words.get(next)) : Optional.empty();
    }

    /** The first word naming the option after where its extension is loaded (from the start for the header). */
    private Optional<Integer> optionIndex(ExtensionSpec owner, OptionSpec option) {
        int from = owner.kind() == ExtensionKind.HEADER ? 0 : loaded(owner).orElse(0);
        for (int i = from; i < words.size(); i++) {
            if (names(words.get(i).text(), option)) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    private Optional<Integer> loaded(ExtensionSpec spec) {
        for (int i = 0; i + 1 < words.size(); i++) {
            String word = words.get(i).text();
            boolean loader = spec.kind() == ExtensionKind.TARGET ? isTargetWord(word)
                    : word.equals("-m") || isLongWord(word, "match");
            if (loader && words.get(i + 1).text().equals(spec.name())) {
                return Optional.of(i + 1);
            }
        }
        return Optional.empty();
    }

    private static boolean isTargetWord(String word) {
        return word.equals("-j") || word.equals("-g") || isLongWord(word, "jump") || isLongWord(word, "goto");
    }

    /** {@code --NAME} or an abbreviation of it, as getopt_long takes it. */
    private static boolean isLongWord(String word, String name) {
        return word.startsWith("--") && word.length() > 2 && name.startsWith(word.substring(2));
    }

    private static boolean names(String word, OptionSpec option) {
        if (word.startsWith("--") && word.length() > 2) {
            int equals = word.indexOf('=');
            String name = equals > 0 ? word.substring(2, equals) : word.substring(2);
            return option.answersTo(name, true, true);
        }
        return word.startsWith("-") && word.length() == 2 && option.answersTo(word.substring(1), false, false);
    }
}
