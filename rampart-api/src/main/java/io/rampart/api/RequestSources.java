package io.rampart.api;

import io.rampart.config.SourceRef;
import io.rampart.config.check.RuleSources;
import io.rampart.config.check.SourceWord;
import io.rampart.model.Table;
import io.rampart.syntax.RuleSyntaxException;
import io.rampart.syntax.SourcedRuleset;
import io.rampart.syntax.Token;
import io.rampart.syntax.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Where the rules and chain declarations of a ruleset text in iptables-save form were written. */
final class RequestSources implements RuleSources {

    private final String source;
    private final List<String> lines;
    private final SourcedRuleset parsed;

    RequestSources(String source, String text, SourcedRuleset parsed) {
        this.source = source;
        this.lines = List.of(text.split("\n", -1));
        this.parsed = parsed;
    }

    @Override
    public SourceRef rule(Table table, int index) {
        int line = parsed.lineOf(table, index);
        return new SourceRef(source, line, firstColumn(line));
    }

    /** The {@code :CHAIN} line in the table's section, else the chain's first rule, else the section's start. */
    @Override
    public SourceRef chain(Table table, String chain) {
        int section = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.equals("*" + table.label())) {
                section = i;
            } else if (section >= 0 && (line.equals(":" + chain) || line.startsWith(":" + chain + " "))) {
                return new SourceRef(source, i + 1, firstColumn(i + 1));
            } else if (section >= 0 && line.equals("COMMIT")) {
                break;
            }
        }
        Optional<Integer> firstRule = parsed.ruleset().table(table).flatMap(t -> {
            for (int i = 0; i < t.rules().size(); i++) {
                if (t.rules().get(i).chain().equals(chain)) {
                    return Optional.of(i);
                }
            }
            return Optional.empty();
        });
        return firstRule.map(i -> rule(table, i)).orElse(new SourceRef(source, Math.max(1, section + 1), 1));
    }

    /** The rule's words as the parser split its line: request text is read as written, so columns are the line's. */
    @Override
    public List<SourceWord> words(Table table, int index) {
        int line = parsed.lineOf(table, index);
        try {
            List<SourceWord> words = new ArrayList<>();
            for (Token token : Tokenizer.split(lines.get(line - 1))) {
                words.add(new SourceWord(token.text(), new SourceRef(source, line, token.column())));
            }
            return words;
        } catch (RuleSyntaxException e) {
            throw new IllegalStateException("the line of a parsed rule does not split: " + lines.get(line - 1), e);
        }
    }

    private int firstColumn(int line) {
        String text = line >= 1 && line <= lines.size() ? lines.get(line - 1) : "";
        return text.length() - text.stripLeading().length() + 1;
    }
}
