package io.rampart.cli;

import io.rampart.api.adopt.AdoptException;
import io.rampart.api.adopt.Adopter;
import io.rampart.api.adopt.Adoption;
import io.rampart.config.IncludePolicy;
import io.rampart.config.RulesetSource;
import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.LiveState;
import io.rampart.system.Iptables;
import io.rampart.system.Netns;
import io.rampart.system.SystemException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Shows the kernel's differences from FILE as edits to FILE, and writes them with -w. */
@Command(name = "adopt", mixinStandardHelpOptions = true,
        description = {"Take what was changed by hand in the kernel (iptables -I, -D, -R, -P) back into FILE:"
                + " the differences in the chains FILE manages, as edits in FILE's own layout and spelling, each"
                + " with a comment saying when. A rule added goes next to the rules it sits between in the kernel."
                + " Differences FILE cannot say on a line of its own (a rule made by a list or a macro, a rule"
                + " of an included file) are shown, not guessed.",
                "Without -w nothing is written. Exit 0 when FILE holds the kernel's rules (after -w), 3 when"
                        + " differences remain."})
final class AdoptCommand implements Callable<Integer> {

    @Mixin
    KernelOptions options;

    @Parameters(index = "0", paramLabel = "FILE", description = "The ruleset file to bring up to date.")
    Path file;

    @Option(names = {"-w", "--write"}, description = "Write the edits into FILE.")
    boolean write;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Family defaultFamily = options.family();
        try (Netns netns = options.namespace()) {
            NetnsValueResolver resolver = new NetnsValueResolver(netns);
            RulesetSource source = RulesetFiles.load(file, defaultFamily, Optional.of(resolver));
            if (source.hasErrors()) {
                throw new InputException(RulesetFiles.render(source, true).stripTrailing());
            }
            Map<Family, LiveState> live = new EnumMap<>(Family.class);
            for (Family family : source.families().keySet()) {
                if (!options.familyGiven() || family == defaultFamily) {
                    live.put(family, LiveState.parse(new Iptables(netns, family).save()));
                }
            }
            if (live.isEmpty()) {
                throw new InputException(file + ": has no table for " + defaultFamily.command());
            }
            Adopter.Reader reader = text -> RulesetSource.loadText(file.toString(), text, defaultFamily,
                    StandardExtensions.registry(), Optional.of(resolver), IncludePolicy.FOLLOW, NameDatabase.system());
            Adoption adoption = new Adopter(StandardExtensions.registry(), NameDatabase.system(), source,
                    file.toString(), reader,
                    Instant.now()).adopt(live);
            if (write && !adoption.changes().isEmpty()) {
                replace(file, adoption.adopted());
            }
            print(adoption, spec.commandLine().getOut());
            boolean holds = adoption.isEmpty() || write && adoption.complete();
            return holds ? ExitCode.OK : ExitCode.DRIFT;
        } catch (AdoptException e) {
            throw new SystemException(e.getMessage());
        }
    }

    private void print(Adoption adoption, PrintWriter out) {
        if (options.json) {
            out.println(Json.document(adoption));
            return;
        }
        if (adoption.isEmpty()) {
            out.println("nothing to adopt: " + file + " holds the kernel's rules");
            return;
        }
        for (Adoption.Change change : adoption.changes()) {
            String chain = change.family().name().toLowerCase(java.util.Locale.ROOT) + " " + change.table().label()
                    + " " + change.chain();
            switch (change.kind()) {
                case INSERT -> out.printf("%s:%d: insert below (the kernel's %s rule %d):%n    + %s%n",
                        file, change.line(), chain, change.position(), change.after());
                case DELETE -> out.printf("%s:%d: delete (not in the kernel's %s):%n    - %s%n",
                        file, change.line(), chain, change.before());
                case REPLACE -> out.printf("%s:%d: replace (the kernel's %s rule %d):%n    - %s%n    + %s%n",
                        file, change.line(), chain, change.position(), change.before(), change.after());
                case POLICY -> out.printf("%s:%d: policy of %s: %s -> %s%n", file, change.line(), chain,
                        change.before(), change.after());
            }
        }
        if (!adoption.unexpressed().isEmpty()) {
            out.println("not adopted, to be edited by hand in " + file + ":");
            for (Adoption.Unexpressed difference : adoption.unexpressed()) {
                out.printf("  %s%s %s %s: %s: %s%n", difference.where() == null ? "" : difference.where() + ": ",
                        difference.family().name().toLowerCase(java.util.Locale.ROOT), difference.table().label(),
                        difference.chain(), difference.what(), difference.why());
            }
        }
        int edits = adoption.changes().size();
        if (edits > 0) {
            out.println(write ? "adopted: " + edits + " edit" + (edits == 1 ? "" : "s") + " written to " + file
                    : "run with -w to write " + (edits == 1 ? "this edit" : "these " + edits + " edits")
                    + " into " + file);
        }
    }

    /** Replaces the file through a temporary file in its directory, keeping its permissions. */
    private static void replace(Path file, String text) {
        Path temporary = file.resolveSibling("." + file.getFileName() + ".adopt.tmp");
        try {
            Files.writeString(temporary, text);
            Files.setPosixFilePermissions(temporary, Files.getPosixFilePermissions(file));
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SystemException(file + ": cannot write: " + e.getMessage());
        }
    }
}
