package io.rampart.trace;

import io.rampart.model.Family;
import io.rampart.model.Match;
import io.rampart.model.Option;
import io.rampart.model.Rule;
import io.rampart.model.extension.Constraint;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.MatchSemantics;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extensions.StandardExtensions;
import java.util.ArrayList;
import java.util.List;

/**
 * Compiles a rule's canonical options into conditions, once per ruleset, as each extension's
 * {@link MatchSemantics} and each option's {@link Constraint} declare them.
 */
final class Conditions {

    private Conditions() {
    }

    static List<Condition> compile(Rule rule, Family family) {
        ExtensionRegistry registry = StandardExtensions.registry();
        ExtensionSpec header = registry.header(family);
        List<Condition> out = new ArrayList<>();
        for (Option option : rule.header()) {
            Constraint constraint = header.option(option.name()).map(OptionSpec::constraint).orElse(null);
            String text = text(null, option);
            out.add(constraint == null
                    ? new Condition.Unknown(text, null, "header option -" + option.name() + " is not modelled")
                    : FieldTests.of(constraint, header.typed(option), text, null, family));
        }
        for (Match match : rule.matches()) {
            ExtensionSpec spec = registry.match(match.extension(), family).orElse(null);
            MatchSemantics semantics = spec == null ? MatchSemantics.NOT_MODELLED : spec.semantics();
            if (semantics instanceof MatchSemantics.Chance chance) {
                out.add(chance(match, chance));
            } else if (semantics instanceof MatchSemantics.Tests tests) {
                fields(spec, tests, match, family, out);
            } else if (semantics instanceof MatchSemantics.Opaque opaque) {
                String ext = match.extension();
                String reason = opaque.reason() == null ? notModelled(ext) : opaque.reason();
                for (Option option : match.options()) {
                    out.add(new Condition.Unknown(text(ext, option), ext, reason));
                }
                if (match.options().isEmpty()) {
                    out.add(new Condition.Unknown(text(ext, null), ext, notModelled(ext)));
                }
            }
        }
        return List.copyOf(out);
    }

    private static String notModelled(String extension) {
        return "-m " + extension + " is not modelled by the tracer";
    }

    /** A match whose options test fields: a header it needs first, then one condition per option. */
    private static void fields(ExtensionSpec spec, MatchSemantics.Tests tests, Match match, Family family,
                               List<Condition> out) {
        String ext = match.extension();
        if (tests.header() >= 0) {
            int proto = tests.header();
            out.add(check("-m " + ext, ext, f -> MatchResult.of(f.packet.proto() == proto)));
        }
        for (Option option : match.options()) {
            Constraint constraint = spec.option(option.name()).map(OptionSpec::constraint).orElse(null);
            String text = text(ext, option);
            if (constraint == null) {
                out.add(new Condition.Unknown(text, ext, "--" + option.name() + " " + tests.unmodelled()));
            } else {
                Condition condition = FieldTests.of(constraint, spec.typed(option), text, ext, family);
                if (condition != null) {
                    out.add(condition);
                }
            }
        }
        if (match.options().isEmpty() && tests.header() < 0) {
            out.add(new Condition.Unknown(text(ext, null), ext, notModelled(ext)));
        }
    }

    /** One assumption for the whole match; a random one says its probability. */
    private static Condition chance(Match match, MatchSemantics.Chance chance) {
        StringBuilder text = new StringBuilder("-m " + match.extension());
        for (Option option : match.options()) {
            text.append(' ').append(text(null, option).replaceFirst("^(! )?-", "$1--"));
        }
        Option random = chance.probabilityOption() == null ? null
                : match.option(chance.probabilityOption()).orElse(null);
        if (random == null) {
            return new Condition.Chance(text.toString(), match.extension(), chance.why(), Double.NaN);
        }
        double probability = Double.parseDouble(random.arg());
        return new Condition.Chance(text.toString(), match.extension(), "true with probability " + probability,
                random.negated() ? 1 - probability : probability);
    }

    static String text(String extension, Option option) {
        StringBuilder b = new StringBuilder(extension == null ? "" : "-m " + extension + " ");
        if (option == null) {
            return b.toString().trim();
        }
        if (option.negated()) {
            b.append("! ");
        }
        b.append(extension == null ? "-" : "--").append(option.name());
        for (String arg : option.args()) {
            b.append(' ').append(arg);
        }
        return b.toString();
    }

    static Condition check(String text, String extension, Condition.Test test) {
        return new Condition.Check(text, extension, test);
    }
}
