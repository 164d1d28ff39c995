package io.rampart.syntax;

import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Policy;
import io.rampart.model.Rule;
import io.rampart.model.Ruleset;
import io.rampart.model.Table;
import io.rampart.model.TableRules;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.HostNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads iptables-save / iptables-restore text ({@code *table}, {@code :CHAIN POLICY [p:b]},
 * {@code -A ...}, {@code COMMIT}) into a {@link Ruleset}.
 */
public final class RulesetParser {

    /**
     * Rampart's own instructions ride in comment lines, so the file stays loadable by plain
     * iptables-restore: {@code # rampart: shared INPUT head}.
     */
    private static final Pattern DIRECTIVE = Pattern.compile("#\\s*rampart:\\s*(.*?)\\s*");
    private static final Pattern SHARED = Pattern.compile("shared\\s+(\\S+)(?:\\s+(\\S+))?");

    private final RuleParser rules;
    private final ExtensionRegistry registry;

    /** A parser whose rules look services, protocols, users and host names up in {@code names}. */
    public RulesetParser(ExtensionRegistry registry, Family family, HostNames names) {
        this.rules = new RuleParser(registry, family, names);
        this.registry = registry;
    }

    public Ruleset parse(String text) throws RulesetSyntaxException {
        return parseWithLines(text).ruleset();
    }

    /** Parses {@code text} and keeps, for every rule, the line it came from; fails on the first error. */
    public SourcedRuleset parseWithLines(String text) throws RulesetSyntaxException {
        List<RulesetSyntaxException> errors = new ArrayList<>();
        SourcedRuleset parsed = parseLines(List.of(text.split("\n", -1)), errors::add);
        if (!errors.isEmpty()) {
            throw errors.get(0);
        }
        return parsed;
    }

    /**
     * Parses {@code lines}, reporting every error to {@code errors} and reading on after it: a bad
     * line is left out, a table that cannot be read is skipped up to its COMMIT. Line numbers in the
     * result and the errors count from 1 in {@code lines}.
     */
    public SourcedRuleset parseLines(List<String> lines, Consumer<RulesetSyntaxException> errors) {
        Map<Table, TableRules> tables = new LinkedHashMap<>();
        Map<Table, List<Integer>> ruleLines = new LinkedHashMap<>();
        RuleInterner interner = new RuleInterner();
        TableBeingRead section = null;
        boolean skippingTable = false;
        for (int i = 0; i < lines.size(); i++) {
            int lineNumber = i + 1;
            String raw = lines.get(i);
            String line = raw.strip();
            try {
                if (line.startsWith("#")) {
                    Matcher directive = DIRECTIVE.matcher(line);
                    if (directive.matches() && !skippingTable) {
                        if (section == null) {
                            throw new RulesetSyntaxException("`# rampart:' directives belong inside a *table section",
                                    lineNumber, 1);
                        }
                        section.directive(directive.group(1), lineNumber, raw);
                    }
                    continue;
                }
                if (line.isEmpty()) {
                    continue;
                }
                if (line.startsWith("*")) {
                    if (section != null || skippingTable) {
                        TableBeingRead unfinished = section;
                        section = null;
                        skippingTable = false;
                        if (unfinished != null) {
                            errors.accept(new RulesetSyntaxException("table " + unfinished.table.label()
                                    + " has no COMMIT before the next table", lineNumber, 1));
                            close(unfinished, tables, ruleLines, errors);
                        }
                    }
                    String name = line.substring(1).strip();
                    Optional<Table> table = Table.byLabel(name);
                    if (table.isEmpty() || tables.containsKey(table.get())) {
                        skippingTable = true;
                        throw table.isEmpty()
                                ? new RulesetSyntaxException("unknown table `" + name + "'", lineNumber, 2)
                                : new RulesetSyntaxException("table " + name + " appears twice", lineNumber, 1);
                    }
                    section = new TableBeingRead(table.get(), interner);
                } else if (line.equals("COMMIT")) {
                    if (section == null && !skippingTable) {
                        throw new RulesetSyntaxException("COMMIT outside a table", lineNumber, 1);
                    }
                    if (section != null) {
                        close(section, tables, ruleLines, errors);
                    }
                    section = null;
                    skippingTable = false;
                } else if (skippingTable) {
                    continue;
                } else if (section == null) {
                    throw new RulesetSyntaxException("expected a *table line first", lineNumber, 1);
                } else if (line.startsWith(":")) {
                    section.declare(line, lineNumber);
                } else {
                    section.addRules(raw, lineNumber);
                }
            } catch (RulesetSyntaxException e) {
                errors.accept(e);
            }
        }
        if (section != null) {
            errors.accept(new RulesetSyntaxException("table " + section.table.label() + " has no COMMIT",
                    lines.size(), 1));
            close(section, tables, ruleLines, errors);
        }
        return new SourcedRuleset(new Ruleset(rules.family(), List.copyOf(tables.values())), ruleLines);
    }

    private static void close(TableBeingRead section, Map<Table, TableRules> tables, Map<Table, List<Integer>> ruleLines,
                              Consumer<RulesetSyntaxException> errors) {
        tables.put(section.table, section.build(errors));
        ruleLines.put(section.table, section.ruleLines.stream().map(SourceLine::number).toList());
    }

    /** One {@code *table ... COMMIT} section being read. */
    private final class TableBeingRead {
        final Table table;
        final Map<String, Chain> chains = new LinkedHashMap<>();
        final Map<String, Chain.Sharing> shared = new LinkedHashMap<>();
        final List<Rule> ruleList = new ArrayList<>();
        final List<SourceLine> ruleLines = new ArrayList<>();
        final RuleInterner interner;

        TableBeingRead(Table table, RuleInterner interner) {
            this.table = table;
            this.interner = interner;
        }

        /** {@code shared CHAIN [head|tail]}: the file owns a block of a built-in chain, not all of it. */
        void directive(String text, int lineNumber, String line) throws RulesetSyntaxException {
            Matcher matcher = SHARED.matcher(text);
            int column = line.indexOf(text) + 1;
            if (!matcher.matches()) {
                throw new RulesetSyntaxException("unknown directive `" + text + "': the one directive is"
                        + " `# rampart: shared CHAIN [head|tail]'", lineNumber, column);
            }
            String chain = matcher.group(1);
            String where = matcher.group(2) == null ? "head" : matcher.group(2);
            if (!table.isBuiltinChain(chain)) {
                throw new RulesetSyntaxException("only a built-in chain of table " + table.label()
                        + " can be shared, not `" + chain + "'", lineNumber, line.indexOf(chain) + 1);
            }
            if (!where.equals("head") && !where.equals("tail")) {
                throw new RulesetSyntaxException("a shared chain keeps its block at its `head' or `tail', not `"
                        + where + "'", lineNumber, line.lastIndexOf(where) + 1);
            }
            if (shared.put(chain, where.equals("head") ? Chain.Sharing.HEAD : Chain.Sharing.TAIL) != null) {
                throw new RulesetSyntaxException("chain " + chain + " is declared shared twice", lineNumber, column);
            }
        }

        void declare(String line, int lineNumber) throws RulesetSyntaxException {
            String[] fields = line.substring(1).split("\\s+");
            String name = fields[0];
            if (name.isEmpty()) {
                throw new RulesetSyntaxException("chain line without a name", lineNumber, 2);
            }
            if (name.length() > Chain.MAX_NAME_LENGTH) {
                throw new RulesetSyntaxException("chain name `" + name + "' is longer than " + Chain.MAX_NAME_LENGTH
                        + " characters", lineNumber, 2);
            }
            if (chains.containsKey(name)) {
                throw new RulesetSyntaxException("chain " + name + " is declared twice", lineNumber, 2);
            }
            if (registry.isTargetName(name, rules.family())) {
                throw new RulesetSyntaxException("chain name " + name + " is the name of a target: -j " + name
                        + " would not jump to it", lineNumber, 2);
            }
            String policyText = fields.length > 1 ? fields[1] : "-";
            int policyColumn = line.indexOf(policyText, name.length() + 1) + 1;
            boolean builtin = table.isBuiltinChain(name);
            Optional<Policy> policy = parsePolicy(policyText);
            if (builtin && policy.isEmpty()) {
                throw new RulesetSyntaxException("built-in chain " + name + " needs a policy, ACCEPT or DROP, not `"
                        + policyText + "'", lineNumber, policyColumn);
            }
            if (!builtin && !policyText.equals("-")) {
                throw new RulesetSyntaxException("user chain " + name + " cannot have a policy: write `:" + name
                        + " - [0:0]'", lineNumber, policyColumn);
            }
            chains.put(name, new Chain(interner.name(name), policy.orElse(null)));
        }

        private Optional<Policy> parsePolicy(String text) {
            for (Policy policy : Policy.values()) {
                if (policy.name().equals(text)) {
                    return Optional.of(policy);
                }
            }
            return Optional.empty();
        }

        void addRules(String line, int lineNumber) throws RulesetSyntaxException {
            try {
                List<Rule> parsed = rules.parseLine(line, table, interner);
                for (Rule rule : parsed) {
                    if (!chains.containsKey(rule.chain()) && !table.isBuiltinChain(rule.chain())) {
                        throw new RulesetSyntaxException("chain " + rule.chain() + " is not declared in table "
                                + table.label() + ": add `:" + rule.chain() + " - [0:0]'", lineNumber,
                                line.indexOf(rule.chain()) + 1);
                    }
                    ruleLines.add(new SourceLine(line, lineNumber));
                }
                ruleList.addAll(parsed);
            } catch (OtherFamilyException e) {
                // iptables-restore skips rules marked for the other family.
            } catch (RuleSyntaxException e) {
                throw new RulesetSyntaxException(e.problem(), lineNumber, e.column(), e.hint());
            }
        }

        /** The table as read; a rule that jumps to an undeclared chain is reported and left out. */
        TableRules build(Consumer<RulesetSyntaxException> errors) {
            List<Rule> kept = new ArrayList<>();
            List<SourceLine> keptLines = new ArrayList<>();
            for (int i = 0; i < ruleList.size(); i++) {
                Rule rule = ruleList.get(i);
                SourceLine source = ruleLines.get(i);
                if (rules.jumpsToUserChain(rule) && !chains.containsKey(rule.target().name())) {
                    String name = rule.target().name();
                    errors.accept(new RulesetSyntaxException("jump to undeclared chain " + name + ": "
                            + registry.otherFamilyTarget(name, rules.family()).orElse("add `:" + name + " - [0:0]'"),
                            source.number(),
                            source.text().lastIndexOf(rule.target().name()) + 1));
                } else {
                    kept.add(rule);
                    keptLines.add(source);
                }
            }
            ruleLines.clear();
            ruleLines.addAll(keptLines);
            for (Map.Entry<String, Chain.Sharing> entry : shared.entrySet()) {
                Chain declared = chains.getOrDefault(entry.getKey(), new Chain(entry.getKey(), null));
                chains.put(entry.getKey(), declared.shared(entry.getValue()));
            }
            return new TableRules(table, List.copyOf(chains.values()), kept);
        }
    }

    private record SourceLine(String text, int number) {
    }
}
