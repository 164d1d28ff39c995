package io.rampart.cli;

import io.rampart.api.LiveRulesets;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RulesetPrinter;
import io.rampart.system.Iptables;
import io.rampart.system.Netns;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Prints the live ruleset in canonical form; with --json, as Rampart's rule model. */
@Command(name = "save", mixinStandardHelpOptions = true,
        description = {"Print the live ruleset in canonical form (iptables-save without its comment lines).",
                "With --json: the rule model of every table."})
final class SaveCommand implements Callable<Integer> {

    @Mixin
    KernelOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String saved;
        try (Netns netns = options.namespace()) {
            saved = new Iptables(netns, options.family()).save();
        }
        if (!options.json) {
            spec.commandLine().getOut().print(saved);
            return ExitCode.OK;
        }
        var ruleset = LiveRulesets.parse(saved, options.family(), NameDatabase.system()).ruleset();
        spec.commandLine().getOut().println(Json.document(ruleset));
        String reprinted = new RulesetPrinter(StandardExtensions.registry(), options.family()).print(ruleset);
        if (!reprinted.equals(saved)) {
            spec.commandLine().getErr().println("rampart: warning: some rules print differently from the"
                    + " kernel's own dump; compare `rampart save' with this model");
        }
        return ExitCode.OK;
    }
}
