package io.rampart.config.check;

import io.rampart.config.SourceRef;
import io.rampart.model.Match;
import io.rampart.model.Option;
import io.rampart.model.Rule;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.syntax.RuleLayout;
import io.rampart.syntax.RuleLayout.WrittenExtension;
import io.rampart.syntax.RuleLayout.WrittenOption;
import io.rampart.syntax.Token;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * One rule as the rule parser read its line ({@link RuleLayout}), placed in the source: where it
 * names a match or its target, where a header option stands, what was written as an option's
 * argument. Without a layout, every place is the rule's start and nothing written is known.
 */
final class WrittenRule {

    private final Optional<RuleLayout> layout;
    private final IntFunction<SourceRef> columns;
    private final SourceRef start;

    WrittenRule(Optional<RuleLayout> layout, IntFunction<SourceRef> columns, SourceRef start) {
        this.layout = layout;
        this.columns = columns;
        this.start = start;
    }

    /**
     * The written match behind {@code rule.matches().get(index)}, of extension {@code spec}: the
     * same occurrence of it among the matches the line loaded (a match the canonical form leaves
     * out is a tcp or udp one with nothing left to test, which no check points at).
     */
    Optional<WrittenExtension> match(Rule rule, int index, ExtensionSpec spec) {
        List<Match> matches = rule.matches();
        int occurrence = (int) matches.subList(0, index).stream()
                .filter(m -> m.extension().equals(spec.name())).count();
        return layout.flatMap(l -> l.match(spec, occurrence));
    }

    /** The written target or chain after {@code -j}/{@code -g}. */
    Optional<WrittenExtension> target() {
        return layout.map(RuleLayout::target);
    }

    /** Where the rule names its target or the chain it jumps to. */
    SourceRef targetName() {
        return named(target());
    }

    /** Where the rule names the extension: the word after {@code -m}, {@code -j} or {@code -g}. */
    SourceRef named(Optional<WrittenExtension> extension) {
        return extension.map(e -> at(e.name())).orElse(start);
    }

    /** Where the header option of that name ({@code i} for {@code -i}) was written. */
    SourceRef headerOption(String name) {
        return layout.flatMap(l -> l.headerOption(name)).map(o -> at(o.word())).orElse(start);
    }

    /**
     * The written option behind {@code options.get(index)} of the extension: the same occurrence
     * of its name among the options written for it.
     */
    static Optional<WrittenOption> option(WrittenExtension extension, List<Option> options, int index) {
        String name = options.get(index).name();
        int occurrence = (int) options.subList(0, index).stream().filter(o -> o.name().equals(name)).count();
        return extension.option(name, occurrence);
    }

    /** Where a one-argument option's argument was written; where the option was when it is attached. */
    SourceRef argument(WrittenOption option) {
        return at(option.attached() ? option.word() : option.arguments().get(0));
    }

    private SourceRef at(Token token) {
        return columns.apply(token.column());
    }
}
