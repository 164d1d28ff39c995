package io.rampart.config.check;

import io.rampart.config.Diagnostic;
import io.rampart.model.Hook;
import io.rampart.model.Option;
import io.rampart.model.Rule;
import io.rampart.model.extension.Canonicalizer;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extension.ValueContext;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Matches, targets and interface options in user chains, checked against every hook the chain is
 * reached from. The rule parser checks rules in built-in chains itself; a user chain's hooks are
 * only known from the whole table.
 *
 * <p>What the kernel checks differs by kind: an extension's hooks ({@link ExtensionSpec#hooks()},
 * the {@code .hooks} of its xt module) are checked along every path, so the rule is refused; the
 * hooks some options need (the extension's canonicalizer, the module's checkentry) and {@code -i}/
 * {@code -o} are only checked in built-in chains, so through a user chain the kernel takes a rule
 * that cannot work as written: a warning.
 */
final class HookCheck {

    private final TableCheck check;
    private final ChainGraph graph;

    HookCheck(TableCheck check, ChainGraph graph) {
        this.check = check;
        this.graph = graph;
    }

    void run() {
        List<Rule> rules = check.section.rules();
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            Set<Hook> hooks = graph.hooksReaching(rule.chain());
            if (check.table.isBuiltinChain(rule.chain()) || hooks.isEmpty()) {
                continue;
            }
            Header header = Header.of(rule);
            checkInterfaces(i, rule, header, hooks);
            for (TableCheck.RuleExtension extension : check.extensions(i)) {
                checkExtension(i, rule, header, hooks, extension);
            }
        }
    }

    /** What of a rule's header the checks read, found in one pass over it. */
    private record Header(Option protocol, boolean in, boolean out) {

        static Header of(Rule rule) {
            Option protocol = null;
            boolean in = false;
            boolean out = false;
            for (Option option : rule.header()) {
                switch (option.name()) {
                    case "p" -> protocol = protocol == null ? option : protocol;
                    case "i" -> in = true;
                    case "o" -> out = true;
                    default -> { }
                }
            }
            return new Header(protocol, in, out);
        }
    }

    private void checkExtension(int index, Rule rule, Header header, Set<Hook> hooks,
                                TableCheck.RuleExtension extension) {
        ExtensionSpec spec = extension.spec();
        List<Option> options = extension.options();
        for (Hook hook : hooks) {
            if (!spec.hooks().contains(hook)) {
                List<String> path = graph.path(hook, rule.chain());
                ChainGraph.Jump entry = graph.firstJump(path);
                check.ruleFinding(index, Diagnostic.error(check.words(index).named(extension.written().get()), spec.describeKind()
                        + " is only valid in " + hookList(spec.hooks()) + ", not in " + hook + reachedBy(hook, rule))
                        .withHint(hook + " leads here by the jump at " + check.words(entry.rule()).targetName()));
                return;
            }
        }
        if (spec.canonicalizer() == Canonicalizer.NONE) {
            return;
        }
        for (Hook hook : hooks) {
            Optional<String> refused = refusal(spec, options, header, hook);
            // Only a refusal that the hook makes counts: without one, the canonical options pass.
            if (refused.isPresent() && refusal(spec, options, header, null).isEmpty()) {
                check.ruleFinding(index, Diagnostic.warning(check.words(index).named(extension.written().get()), refused.get()
                        + reachedBy(hook, rule)).withHint("the kernel checks this only in built-in chains: through a"
                        + " user chain the rule loads, but cannot work as meant"));
                return;
            }
        }
    }

    /** What the extension's canonicalizer says of the rule's options in a chain of {@code hook}. */
    private Optional<String> refusal(ExtensionSpec spec, List<Option> options, Header header, Hook hook) {
        Option protocol = header.protocol();
        // The options are canonical and typed already: the hook is all that is asked, and no name changes it.
        ValueContext context = new ValueContext(check.family, check.table, protocol == null ? null : protocol.arg(),
                protocol != null && protocol.negated(), hook, NameDatabase.builtin());
        try {
            spec.canonicalize(options, context);
            return Optional.empty();
        } catch (InvalidValueException e) {
            return Optional.of(e.getMessage());
        }
    }

    private void checkInterfaces(int index, Rule rule, Header header, Set<Hook> hooks) {
        checkInterface(index, rule, header.in(), hooks, "i", Hook.RECEIVING, "input");
        checkInterface(index, rule, header.out(), hooks, "o", Hook.SENDING, "output");
    }

    private void checkInterface(int index, Rule rule, boolean given, Set<Hook> hooks, String option, Set<Hook> known,
                                String which) {
        if (!given || hooks.stream().anyMatch(known::contains)) {
            return;
        }
        List<String> paths = hooks.stream().map(h -> TableCheck.arrows(graph.path(h, rule.chain()))).toList();
        check.ruleFinding(index, Diagnostic.warning(check.words(index).headerOption(option), "-" + option
                + " has no interface to test in chain " + rule.chain() + ": it is reached only from "
                + hookList(hooks) + " (" + String.join(", ", paths) + "), where packets have no " + which
                + " interface"));
    }

    private String reachedBy(Hook hook, Rule rule) {
        return ": chain " + rule.chain() + " is reached from " + hook + " ("
                + TableCheck.arrows(graph.path(hook, rule.chain())) + ")";
    }

    private static String hookList(Set<Hook> hooks) {
        return String.join(", ", hooks.stream().sorted().map(Hook::name).toList());
    }
}
