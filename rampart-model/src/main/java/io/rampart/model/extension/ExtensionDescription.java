package io.rampart.model.extension;

import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.Table;
import java.util.List;

/**
 * The plain-data description of an extension that front ends read (JSON from {@code rampart
 * describe --json}): what a rule editor needs to offer its options with help and types.
 */
public record ExtensionDescription(String name, String kind, String help, List<String> families,
                                   List<String> tables, List<String> hooks, String loadedByProtocol,
                                   List<OptionDescription> options) {

    /** One option: its names as typed on a command line, its arguments, and whether {@code !} may precede it. */
    public record OptionDescription(String name, List<String> aliases, List<ArgumentDescription> arguments,
                                    boolean negatable, boolean required, String help) {
    }

    /** One argument: its type's short name and its syntax as help shows it. */
    public record ArgumentDescription(String type, String syntax) {
    }

    public static ExtensionDescription of(ExtensionSpec spec) {
        return new ExtensionDescription(spec.name(), spec.kind().name().toLowerCase(java.util.Locale.ROOT),
                spec.help(),
                spec.families().stream().sorted().map(f -> f == Family.IPV4 ? "ipv4" : "ipv6").toList(),
                spec.tables().stream().sorted().map(Table::label).toList(),
                spec.hooks().stream().sorted().map(Hook::name).toList(),
                spec.implicitProtocol().orElse(null),
                spec.options().stream().map(ExtensionDescription::describe).toList());
    }

    private static OptionDescription describe(OptionSpec option) {
        return new OptionDescription(OptionSpec.spell(option.name()),
                option.aliases().stream().map(OptionSpec::spell).toList(),
                option.args().stream().map(a -> new ArgumentDescription(a.name(), a.syntax())).toList(),
                option.negatable(), option.mandatory(), option.help());
    }
}
