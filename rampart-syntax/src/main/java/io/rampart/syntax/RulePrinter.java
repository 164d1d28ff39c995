package io.rampart.syntax;

import io.rampart.model.Family;
import io.rampart.model.Match;
import io.rampart.model.Option;
import io.rampart.model.Rule;
import io.rampart.model.Target;
import io.rampart.model.extension.ExtensionKind;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.Quoting;
import io.rampart.model.extension.ValueType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Prints rules exactly as the kernel's iptables-save (nf_tables backend) prints them. */
public final class RulePrinter {

    private static final String PLAIN_CHARACTERS =
            "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    /** Whether each ASCII character is one of {@link #PLAIN_CHARACTERS}: asked for every character printed. */
    private static final boolean[] PLAIN = plainTable();

    private static boolean[] plainTable() {
        boolean[] plain = new boolean[128];
        for (int i = 0; i < PLAIN_CHARACTERS.length(); i++) {
            plain[PLAIN_CHARACTERS.charAt(i)] = true;
        }
        return plain;
    }

    private final ExtensionSpec header;
    /** By name, looked up once: the registry does not change, and a stream search per rule is slow. */
    private final Map<String, ExtensionSpec> matches;
    private final Map<String, ExtensionSpec> targets;

    public RulePrinter(ExtensionRegistry registry, Family family) {
        this.header = registry.header(family);
        this.matches = byName(registry.all(ExtensionKind.MATCH, family));
        this.targets = byName(registry.all(ExtensionKind.TARGET, family));
    }

    private static Map<String, ExtensionSpec> byName(List<ExtensionSpec> specs) {
        Map<String, ExtensionSpec> out = new HashMap<>();
        for (ExtensionSpec spec : specs) {
            out.put(spec.name(), spec);
        }
        return Map.copyOf(out);
    }

    /** The {@code -A CHAIN ...} line of a rule. */
    public String print(Rule rule) {
        StringBuilder out = new StringBuilder(96);
        out.append("-A ").append(rule.chain());
        appendOptions(out, header, rule.header());
        for (Match match : rule.matches()) {
            out.append(" -m ").append(match.extension());
            appendOptions(out, matches.get(match.extension()), match.options());
        }
        if (rule.target() != null) {
            Target target = rule.target();
            out.append(target.kind() == Target.Kind.GOTO ? " -g " : " -j ").append(target.name());
            appendOptions(out, targets.get(target.name()), target.options());
        }
        return out.toString();
    }

    /** Appends the options of an extension; {@code spec} is null for a jump to a user chain. */
    private static void appendOptions(StringBuilder out, ExtensionSpec spec, List<Option> options) {
        for (Option option : options) {
            if (option.negated()) {
                out.append(" !");
            }
            out.append(' ').append(OptionSpec.spell(option.name()));
            OptionSpec optionSpec = spec == null ? null : spec.option(option.name()).orElse(null);
            for (int i = 0; i < option.args().size(); i++) {
                Quoting quoting = optionSpec == null ? Quoting.WHEN_NEEDED : argType(optionSpec, i).quoting();
                out.append(' ');
                appendValue(out, option.args().get(i), quoting);
            }
        }
    }

    private static ValueType argType(OptionSpec spec, int index) {
        return spec.args().get(Math.min(index, spec.args().size() - 1));
    }

    private static void appendValue(StringBuilder out, String value, Quoting quoting) {
        switch (quoting) {
            case NONE -> out.append(value);
            case ALWAYS -> out.append('"').append(value).append('"');
            case WHEN_NEEDED -> appendSaveString(out, value);
            case WHEN_NEEDED_AFTER_BLANK -> appendSaveString(out.append(' '), value);
        }
    }

    /** Quotes like xtables_save_string: only when needed, escaping {@code " ' \}. */
    static void appendSaveString(StringBuilder out, String value) {
        boolean plain = !value.isEmpty();
        for (int i = 0; i < value.length() && plain; i++) {
            char c = value.charAt(i);
            plain = c < PLAIN.length && PLAIN[c];
        }
        if (plain) {
            out.append(value);
            return;
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\'' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        out.append('"');
    }
}
