package io.rampart.cli;

import io.rampart.api.adopt.Importer;
import io.rampart.model.Family;
import io.rampart.reconcile.LiveState;
import io.rampart.system.Iptables;
import io.rampart.system.Netns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** A live ruleset, or an iptables-save file, as a starting file for the ruleset language. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Print a starting ruleset file for the language: the kernel's rules of --netns NS (or the"
                + " host), or those of SAVEFILE (iptables-save output). The chains it should manage are declared;"
                + " chains other tools keep (Docker, kube-proxy, fail2ban, Rampart's own, ...) and chains jumping"
                + " to them are left out, with a comment saying which."})
final class ImportCommand implements Callable<Integer> {

    @Mixin
    KernelOptions options;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SAVEFILE",
            description = "iptables-save (or ip6tables-save, with -6) output to import instead of the kernel's rules.")
    Path saveFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Family family = options.family();
        String saved;
        String origin;
        if (saveFile != null) {
            if (options.netns != null) {
                throw new InputException("give --netns or SAVEFILE, not both");
            }
            try {
                saved = Files.readString(saveFile);
            } catch (IOException e) {
                throw new InputException(saveFile + ": cannot read: " + e.getMessage());
            }
            origin = "the " + family.command() + "-save output in " + saveFile;
        } else {
            try (Netns netns = options.namespace()) {
                saved = new Iptables(netns, family).save();
            }
            origin = "the " + family.command() + " rules of " + (options.netns == null ? "this host"
                    : "namespace " + options.netns);
        }
        LiveState live = LiveState.parse(saved);
        if (live.tables().isEmpty()) {
            throw new InputException((saveFile == null ? origin : saveFile.toString()) + " hold no table: nothing to import");
        }
        Importer.Imported imported = Importer.starting(live, family, origin, Instant.now());
        if (options.json) {
            spec.commandLine().getOut().println(Json.document(imported));
        } else {
            spec.commandLine().getOut().print(imported.text());
            spec.commandLine().getOut().flush();
        }
        return ExitCode.OK;
    }
}
