package io.rampart.syntax;

import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.OptionSpec;
import java.util.List;
import java.util.Optional;

/**
 * How one rule line was written, as the rule parser read it ({@link RuleParser#layout}): each
 * option and extension with the words it was written in, every word with the columns it spans on
 * the line. The parser makes one only when asked, so parsed rules carry no positions.
 *
 * @param chain   the chain after {@code -A}
 * @param header  the header's options ({@code -s}, {@code -p}, {@code -i}, ...) in the order written
 * @param matches every match the rule loaded, in the order loaded: those named after {@code -m} and
 *                those the rule's {@code -p} loaded for an option; also a match the rule's canonical
 *                form leaves out (a tcp match left with nothing but {@code ! --dport 0:65535})
 * @param target  the target or chain after {@code -j}/{@code -g}; null without one
 */
public record RuleLayout(Token chain, List<WrittenOption> header, List<WrittenExtension> matches,
                         WrittenExtension target) {

    public RuleLayout {
        header = List.copyOf(header);
        matches = List.copyOf(matches);
    }

    /** The {@code occurrence}-th (from 0) match of {@code spec} the rule loaded. */
    public Optional<WrittenExtension> match(ExtensionSpec spec, int occurrence) {
        return matches.stream().filter(m -> m.spec().equals(spec)).skip(occurrence).findFirst();
    }

    /** The header option of that name ({@code p} for {@code -p} or {@code --protocol}). */
    public Optional<WrittenOption> headerOption(String name) {
        return header.stream().filter(o -> o.spec().name().equals(name)).findFirst();
    }

    /**
     * A loaded extension.
     *
     * @param spec    what was loaded; null for a target that is a user chain
     * @param loader  the word that loaded it: {@code -m}, {@code -j}, {@code -g} (or a long spelling),
     *                or for a match the rule's {@code -p} loaded, the option word it was loaded for
     * @param name    the word naming it (for a match {@code -p} loaded, that same option word)
     * @param options its options in the order written
     */
    public record WrittenExtension(ExtensionSpec spec, Token loader, Token name, List<WrittenOption> options) {

        public WrittenExtension {
            options = List.copyOf(options);
        }

        /** The {@code occurrence}-th (from 0) option of that name, for options that may be repeated. */
        public Optional<WrittenOption> option(String optionName, int occurrence) {
            return options.stream().filter(o -> o.spec().name().equals(optionName)).skip(occurrence).findFirst();
        }

        /** The column of its first word. */
        public int start() {
            return loader.column();
        }

        /** The column after its last word (its last option's, when it has options). */
        public int end() {
            return options.stream().mapToInt(WrittenOption::end).reduce(name.end(), Math::max);
        }
    }

    /**
     * One option as written.
     *
     * @param spec      the option it stands for, however it was spelt (an alias, an abbreviation)
     * @param negation  the {@code !} before it; null when it is not negated
     * @param word      the word naming it ({@code --dport}, {@code --destination-port}, {@code --dp},
     *                  {@code --comment=text})
     * @param arguments its arguments, quotes removed; an argument attached with {@code =} spans the
     *                  columns after the {@code =}
     */
    public record WrittenOption(OptionSpec spec, Token negation, Token word, List<Token> arguments) {

        public WrittenOption {
            arguments = List.copyOf(arguments);
        }

        /** Whether its one argument was attached to its name ({@code --comment=text}). */
        public boolean attached() {
            return arguments.size() == 1 && arguments.get(0).column() < word.end();
        }

        /** The column of its {@code !}, or of its name when not negated. */
        public int start() {
            return negation != null ? negation.column() : word.column();
        }

        /** The column after its last argument, or after its name when it has none. */
        public int end() {
            return arguments.isEmpty() ? word.end() : arguments.get(arguments.size() - 1).end();
        }
    }
}
