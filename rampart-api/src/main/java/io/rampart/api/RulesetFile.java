package io.rampart.api;

import io.rampart.config.Diagnostic;
import io.rampart.config.DiagnosticPrinter;
import io.rampart.config.FamilyRuleset;
import io.rampart.config.RulesetSource;
import io.rampart.config.ValueResolver;
import io.rampart.model.Family;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import io.rampart.system.agent.InvalidFileException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A ruleset file read through the language into desired states, or refused with every error it
 * has: the FILE of the command line's commands and the file {@code rampart serve} was started with.
 */
public final class RulesetFile {

    private RulesetFile() {
    }

    /**
     * The file read and checked, apply-time values looked up by {@code resolver} when given; its
     * warnings go to {@code warnings}, what the reading depended on to {@code inputs} (also when the
     * file has errors), and its errors, all of them, are thrown.
     */
    public static RulesetSource checked(Path file, Family defaultFamily, Optional<ValueResolver> resolver,
                                        HostNames names, Consumer<String> warnings, Consumer<Set<Path>> inputs) {
        RulesetSource source = RulesetSource.load(file, defaultFamily, StandardExtensions.registry(), resolver, names);
        inputs.accept(source.inputs());
        return reported(source, warnings);
    }

    /**
     * As {@link #checked(Path, Family, Optional, HostNames, Consumer, Consumer)}, what the reading
     * depended on handed over as each input's digest as it was read ({@link RulesetSource#inputDigests}).
     */
    public static RulesetSource checkedDigesting(Path file, Family defaultFamily, Optional<ValueResolver> resolver,
                                                 HostNames names, Consumer<String> warnings,
                                                 Consumer<Map<Path, String>> digests) {
        RulesetSource source = RulesetSource.load(file, defaultFamily, StandardExtensions.registry(), resolver, names,
                true);
        digests.accept(source.inputDigests());
        return reported(source, warnings);
    }

    /** {@code source}, its warnings handed to {@code warnings}, its errors, all of them, thrown. */
    private static RulesetSource reported(RulesetSource source, Consumer<String> warnings) {
        String warned = render(source, false);
        if (!warned.isEmpty()) {
            warnings.accept(warned);
        }
        if (source.hasErrors()) {
            throw new InvalidFileException(render(source, true).stripTrailing());
        }
        return source;
    }

    /** The desired state of each family {@code source} (read from {@code file}) has tables for, or of {@code only}. */
    public static Map<Family, DesiredState> desired(Path file, RulesetSource source, Optional<Family> only) {
        Map<Family, DesiredState> desired = new EnumMap<>(Family.class);
        for (FamilyRuleset ruleset : source.families().values()) {
            if (only.isEmpty() || ruleset.family() == only.get()) {
                desired.put(ruleset.family(), DesiredState.of(ruleset.ruleset(), StandardExtensions.registry(),
                        file.toString(), ruleset::location, ruleset::text));
            }
        }
        return desired;
    }

    /** The refusal of a file without a table for {@code family}, naming the families it has tables for. */
    public static InvalidFileException noTableFor(Path file, Family family, RulesetSource source) {
        return new InvalidFileException(file + ": has no table for " + family.command()
                + " (its tables are for " + String.join(" and ", source.families().keySet().stream()
                .map(Family::command).toList()) + ")");
    }

    /** The errors (or the warnings) of {@code source}, each with its line and caret. */
    public static String render(RulesetSource source, boolean errors) {
        return render(source, source.diagnostics(), errors);
    }

    /** The errors (or the warnings) among {@code findings}, each with its line of {@code source}'s files and caret. */
    public static String render(RulesetSource source, List<Diagnostic> findings, boolean errors) {
        DiagnosticPrinter printer = new DiagnosticPrinter(source.files());
        StringBuilder out = new StringBuilder();
        for (Diagnostic diagnostic : findings) {
            if (diagnostic.isError() == errors) {
                out.append(printer.print(diagnostic));
            }
        }
        return out.toString();
    }
}
