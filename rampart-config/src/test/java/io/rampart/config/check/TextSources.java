package io.rampart.config.check;

import io.rampart.config.SourceRef;
import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Policy;
import io.rampart.model.Rule;
import io.rampart.model.Ruleset;
import io.rampart.model.Table;
import io.rampart.model.TableRules;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RuleParser;
import io.rampart.syntax.RuleSyntaxException;
import io.rampart.syntax.RuleLayout;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An iptables-save text read line by line into a ruleset, with the sources of its rules (their
 * lines and layouts, by the rule parser) and declarations. Each rule goes through the
 * real rule parser; what only the whole file shows (undeclared or doubly declared chains, long
 * declared names) is left for the checker, as a front end that keeps going after errors would.
 */
final class TextSources implements RuleSources {

    private final String file;
    private final String[] lines;
    private final RuleParser parser;
    private final Ruleset ruleset;
    private final Map<Table, List<Integer>> ruleLines = new EnumMap<>(Table.class);
    private final Map<Table, List<Integer>> declarationLines = new EnumMap<>(Table.class);

    TextSources(String file, String text, Family family) throws RuleSyntaxException {
        this.file = file;
        this.lines = text.split("\n", -1);
        this.parser = new RuleParser(StandardExtensions.registry(), family, NameDatabase.system());
        List<TableRules> tables = new ArrayList<>();
        Table table = null;
        List<Chain> chains = new ArrayList<>();
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.startsWith("*")) {
                table = Table.byLabel(line.substring(1)).orElseThrow();
                chains = new ArrayList<>();
                rules = new ArrayList<>();
                ruleLines.put(table, new ArrayList<>());
                declarationLines.put(table, new ArrayList<>());
            } else if (line.equals("COMMIT")) {
                tables.add(new TableRules(table, chains, rules));
            } else if (line.startsWith(":")) {
                String[] fields = line.substring(1).split("\\s+");
                chains.add(new Chain(fields[0], fields[1].equals("-") ? null : Policy.valueOf(fields[1])));
                declarationLines.get(table).add(i + 1);
            } else if (line.startsWith("-")) {
                for (Rule rule : parser.parseLine(lines[i], table)) {
                    rules.add(rule);
                    ruleLines.get(table).add(i + 1);
                }
            }
        }
        this.ruleset = new Ruleset(family, tables);
    }

    Ruleset ruleset() {
        return ruleset;
    }

    @Override
    public SourceRef rule(Table table, int index) {
        int line = ruleLines.get(table).get(index);
        return new SourceRef(file, line, firstColumn(lines[line - 1]));
    }

    @Override
    public SourceRef chain(Table table, String chain) {
        List<Integer> declarations = declarationLines.get(table);
        for (int line : declarations) {
            if (lines[line - 1].strip().substring(1).split("\\s+")[0].equals(chain)) {
                return new SourceRef(file, line, 2);
            }
        }
        throw new IllegalArgumentException("no declaration of " + chain);
    }

    @Override
    public SourceRef declaration(Table table, int index, String chain) {
        return new SourceRef(file, declarationLines.get(table).get(index), 2);
    }

    @Override
    public Optional<RuleLayout> layout(Table table, int index) {
        try {
            return Optional.of(parser.layout(lines[ruleLines.get(table).get(index) - 1], table));
        } catch (RuleSyntaxException e) {
            throw new IllegalStateException("a parsed rule line does not read again", e);
        }
    }

    @Override
    public SourceRef column(Table table, int index, int column) {
        return new SourceRef(file, ruleLines.get(table).get(index), column);
    }

    private static int firstColumn(String line) {
        int i = 0;
        while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
            i++;
        }
        return i + 1;
    }
}
