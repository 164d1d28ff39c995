package io.rampart.config.check;

import io.rampart.config.Diagnostic;
import io.rampart.config.SourceRef;
import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Match;
import io.rampart.model.Option;
import io.rampart.model.Rule;
import io.rampart.model.Table;
import io.rampart.model.TableRules;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.Suggestions;
import io.rampart.syntax.RuleLayout.WrittenExtension;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The checks of one table section. Findings are kept by their place in the section (declarations
 * first, then rules in order), so they come out in source order whichever check found them.
 */
final class TableCheck {

    final ExtensionRegistry registry;
    final Family family;
    final TableRules section;
    final Table table;
    final RuleSources sources;
    private final Map<Integer, List<Diagnostic>> findings = new TreeMap<>();
    private final Map<Integer, WrittenRule> words = new HashMap<>();
    /** Each rule's extensions, found when a check first asks: several checks read them. */
    private final List<List<RuleExtension>> extensions;
    private final Set<String> userChains = new LinkedHashSet<>();

    TableCheck(ExtensionRegistry registry, Family family, TableRules section, RuleSources sources) {
        this.registry = registry;
        this.family = family;
        this.section = section;
        this.table = section.table();
        this.sources = sources;
        this.extensions = new ArrayList<>(Collections.nCopies(section.rules().size(), null));
    }

    List<Diagnostic> run() {
        checkDeclarations();
        ChainGraph graph = new ChainGraph(table, allChains(), checkRuleChainsAndJumps());
        checkLoops(graph);
        checkDepth(graph);
        new HookCheck(this, graph).run();
        new CutValues(this).run();
        new Shadowing(this).run();
        return findings.values().stream().flatMap(List::stream).toList();
    }

    void declarationFinding(int index, Diagnostic diagnostic) {
        findings.computeIfAbsent(index, k -> new ArrayList<>()).add(diagnostic);
    }

    void ruleFinding(int index, Diagnostic diagnostic) {
        declarationFinding(section.chains().size() + index, diagnostic);
    }

    /** Rule {@code index} as written, its line read again by the rule parser when a finding first needs it. */
    WrittenRule words(int index) {
        return words.computeIfAbsent(index, i -> new WrittenRule(sources.layout(table, i),
                column -> sources.column(table, i, column), sources.rule(table, i)));
    }

    /**
     * The extensions of rule {@code index} that the registry knows, its matches in order and then
     * its target, each with its canonical options and how it was written (read only when asked).
     */
    List<RuleExtension> extensions(int index) {
        List<RuleExtension> known = extensions.get(index);
        if (known == null) {
            known = findExtensions(index);
            extensions.set(index, known);
        }
        return known;
    }

    private List<RuleExtension> findExtensions(int index) {
        Rule rule = section.rules().get(index);
        List<RuleExtension> found = new ArrayList<>();
        for (int m = 0; m < rule.matches().size(); m++) {
            Match match = rule.matches().get(m);
            int which = m;
            registry.match(match.extension(), family).ifPresent(spec -> found.add(new RuleExtension(spec,
                    match.options(), () -> words(index).match(rule, which, spec))));
        }
        if (rule.target() != null) {
            registry.target(rule.target().name(), family).ifPresent(spec -> found.add(new RuleExtension(spec,
                    rule.target().options(), () -> words(index).target())));
        }
        return found;
    }

    /** A match or target of a rule: its spec, its canonical options and how it was written. */
    record RuleExtension(ExtensionSpec spec, List<Option> options, Supplier<Optional<WrittenExtension>> written) {
    }

    /** Whether the rule jumps or goes to a user chain rather than using a target extension. */
    boolean jumpsToUserChain(Rule rule) {
        return rule.target() != null && registry.target(rule.target().name(), family).isEmpty();
    }

    /** {@code line N}, or {@code file:N} when the other place is in another file. */
    static String lineOf(SourceRef other, SourceRef here) {
        return other.file().equals(here.file()) ? "line " + other.line() : other.file() + ":" + other.line();
    }

    static String arrows(List<String> chains) {
        return String.join(" -> ", chains);
    }

    private void checkDeclarations() {
        Map<String, Integer> first = new HashMap<>();
        List<Chain> chains = section.chains();
        for (int i = 0; i < chains.size(); i++) {
            String name = chains.get(i).name();
            SourceRef where = sources.declaration(table, i, name);
            if (name.length() > Chain.MAX_NAME_LENGTH) {
                declarationFinding(i, Diagnostic.error(where, "chain name `" + name + "' is " + name.length()
                        + " characters long: the kernel allows at most " + Chain.MAX_NAME_LENGTH));
            }
            if (registry.isTargetName(name, family)) {
                declarationFinding(i, Diagnostic.error(where, "chain name " + name + " is the name of a target: -j "
                        + name + " would not jump to it").withHint("rename the chain"));
            }
            Integer earlier = first.putIfAbsent(name, i);
            if (earlier != null) {
                declarationFinding(i, Diagnostic.error(where, "chain " + name + " is declared twice")
                        .withHint("first declared at " + sources.declaration(table, earlier, name)));
            } else if (!table.isBuiltinChain(name)) {
                userChains.add(name);
            }
        }
    }

    private Set<String> allChains() {
        Set<String> chains = new LinkedHashSet<>(table.builtinChains());
        chains.addAll(userChains);
        return chains;
    }

    /** Rules in undeclared chains and jumps to undeclared chains; the jumps between declared chains. */
    private List<ChainGraph.Jump> checkRuleChainsAndJumps() {
        Set<String> reported = new HashSet<>();
        List<ChainGraph.Jump> jumps = new ArrayList<>();
        List<Rule> rules = section.rules();
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            if (!isChain(rule.chain()) && reported.add(rule.chain())) {
                ruleFinding(i, Diagnostic.error(sources.rule(table, i), "chain " + rule.chain()
                        + " is not declared in table " + table.label()).withHint(declareIt(rule.chain())));
            }
            if (!jumpsToUserChain(rule)) {
                continue;
            }
            String to = rule.target().name();
            if (table.isBuiltinChain(to)) {
                ruleFinding(i, Diagnostic.error(words(i).targetName(), "cannot jump to built-in chain " + to));
            } else if (!userChains.contains(to)) {
                String closest = Suggestions.closest(to, userChains);
                ruleFinding(i, Diagnostic.error(words(i).targetName(), "jump to undeclared chain " + to)
                        .withHint(registry.otherFamilyTarget(to, family).orElse(closest != null
                                ? "did you mean " + closest + "?" : declareIt(to))));
            } else {
                jumps.add(new ChainGraph.Jump(i, rule.chain(), to));
            }
        }
        return jumps;
    }

    private boolean isChain(String name) {
        return table.isBuiltinChain(name) || userChains.contains(name);
    }

    private static String declareIt(String chain) {
        return "declare it: `:" + chain + " - [0:0]'";
    }

    private void checkLoops(ChainGraph graph) {
        for (ChainGraph.Loop loop : graph.loops()) {
            int rule = loop.closing().rule();
            SourceRef where = words(rule).targetName();
            String cycle = "jump loop " + arrows(loop.chains());
            if (graph.reached(loop)) {
                ruleFinding(rule, Diagnostic.error(where, cycle + ": the kernel refuses a loop that a built-in"
                        + " chain reaches (\"Too many links\")").withHint("no jump may lead back to a chain on the"
                        + " way to it; a packet returns to the calling chain by itself at the end of a chain"));
            } else {
                ruleFinding(rule, Diagnostic.error(where, cycle + ": no built-in chain reaches it, and the kernel"
                        + " refuses any jump into it (\"Too many links\"), so it can never be used")
                        .withHint("remove a jump of the loop; a packet returns to the calling chain by itself at the"
                                + " end of a chain"));
            }
        }
    }

    private void checkDepth(ChainGraph graph) {
        for (ChainGraph.DeepJump deep : graph.deepJumps()) {
            int rule = deep.jump().rule();
            ruleFinding(rule, Diagnostic.error(words(rule).targetName(), "chain " + deep.jump().to() + " would be "
                    + (ChainGraph.MAX_JUMP_DEPTH + 1) + " jumps down from " + deep.path().get(0) + " ("
                    + arrows(deep.path()) + "): the kernel follows at most " + ChainGraph.MAX_JUMP_DEPTH
                    + " (\"Too many links\")"));
        }
    }
}
