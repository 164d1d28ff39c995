package io.rampart.cli;

import io.rampart.api.RulesetFile;
import io.rampart.config.FamilyRuleset;
import io.rampart.config.RulesetSource;
import io.rampart.config.ValueResolver;
import io.rampart.model.Family;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** Reads a ruleset file through the language into desired states, or explains where and why it is wrong. */
final class RulesetFiles {

    private RulesetFiles() {
    }

    /** The file read and checked, with apply-time values looked up by {@code resolver} when given. */
    static RulesetSource load(Path file, Family defaultFamily, Optional<ValueResolver> resolver) {
        return RulesetSource.load(file, defaultFamily, StandardExtensions.registry(), resolver, NameDatabase.system());
    }

    /**
     * The desired state of each family the file has tables for, or of the one family the options name
     * explicitly. Warnings go to {@code err}; errors, all of them, become the Failure.
     */
    static Map<Family, DesiredState> desired(Path file, KernelOptions options, ValueResolver resolver,
                                             PrintWriter err) {
        return desired(file, options, resolver, err, inputs -> { });
    }

    /**
     * As {@link #desired(Path, KernelOptions, ValueResolver, PrintWriter)}, and tells {@code inputs} what
     * the reading depended on ({@link RulesetSource#inputs()}), also when the file has errors.
     */
    static Map<Family, DesiredState> desired(Path file, KernelOptions options, ValueResolver resolver,
                                             PrintWriter err, Consumer<Set<Path>> inputs) {
        return desiredWarning(file, options, resolver, printing(err), inputs);
    }

    /**
     * As {@link #desired(Path, KernelOptions, ValueResolver, PrintWriter, Consumer)}, the warnings
     * (rendered, with their lines and carets) handed to {@code warnings} rather than printed.
     */
    static Map<Family, DesiredState> desiredWarning(Path file, KernelOptions options, ValueResolver resolver,
                                                    Consumer<String> warnings, Consumer<Set<Path>> inputs) {
        return desired(file, options.family(), options.familyGiven() ? Optional.of(options.family()) : Optional.empty(),
                resolver, warnings, inputs);
    }

    /**
     * As {@link #desired(Path, KernelOptions, ValueResolver, PrintWriter, Consumer)}, the file's names
     * looked up in {@code names} and its warnings handed to {@code warnings}: for a reading that
     * records what it depended on (the no-op memo).
     */
    static Map<Family, DesiredState> desired(Path file, KernelOptions options, ValueResolver resolver, HostNames names,
                                             Consumer<String> warnings, Consumer<Map<Path, String>> inputDigests) {
        Optional<Family> only = options.familyGiven() ? Optional.of(options.family()) : Optional.empty();
        RulesetSource source = RulesetFile.checkedDigesting(file, options.family(), Optional.of(resolver), names,
                warnings, inputDigests);
        return desiredOf(file, source, only, options.family());
    }

    /** The desired state of {@code family} alone: for commands that work on one family at a time. */
    static DesiredState desiredOf(Path file, Family family, ValueResolver resolver, PrintWriter err) {
        return desired(file, family, Optional.of(family), resolver, printing(err), inputs -> { }).get(family);
    }

    /**
     * The desired state of each family the file has tables for, or of {@code only}.
     *
     * @param defaultFamily the family of a table that names none
     */
    private static Map<Family, DesiredState> desired(Path file, Family defaultFamily, Optional<Family> only,
                                                     ValueResolver resolver, Consumer<String> warnings,
                                                     Consumer<Set<Path>> inputs) {
        return desired(file, defaultFamily, only, resolver, NameDatabase.system(), warnings, inputs);
    }

    private static Map<Family, DesiredState> desired(Path file, Family defaultFamily, Optional<Family> only,
                                                     ValueResolver resolver, HostNames names,
                                                     Consumer<String> warnings, Consumer<Set<Path>> inputs) {
        RulesetSource source = RulesetFile.checked(file, defaultFamily, Optional.of(resolver), names, warnings,
                inputs);
        return desiredOf(file, source, only, defaultFamily);
    }

    private static Map<Family, DesiredState> desiredOf(Path file, RulesetSource source, Optional<Family> only,
                                                       Family defaultFamily) {
        Map<Family, DesiredState> desired = RulesetFile.desired(file, source, only);
        if (desired.isEmpty()) {
            throw RulesetFile.noTableFor(file, only.orElse(defaultFamily), source);
        }
        return desired;
    }

    /**
     * The rules of {@code family} alone, each with where it was written: for the tracer. Tables that name
     * no family are of {@code family}. Warnings go to {@code err}; errors, all of them, become the Failure.
     */
    static FamilyRuleset familyRuleset(Path file, Family family, ValueResolver resolver, PrintWriter err) {
        RulesetSource source = checked(file, family, resolver, err, inputs -> { });
        FamilyRuleset ruleset = source.families().get(family);
        if (ruleset == null) {
            throw RulesetFile.noTableFor(file, family, source);
        }
        return ruleset;
    }

    /**
     * The rules of each family the file has tables for, or of the one family the options name explicitly,
     * each with where it was written. Warnings go to {@code err}; errors, all of them, become the Failure.
     */
    static List<FamilyRuleset> familyRulesets(Path file, KernelOptions options, ValueResolver resolver,
                                              PrintWriter err) {
        RulesetSource source = checked(file, options.family(), resolver, err, inputs -> { });
        List<FamilyRuleset> out = source.families().values().stream()
                .filter(r -> !options.familyGiven() || r.family() == options.family()).toList();
        if (out.isEmpty()) {
            throw RulesetFile.noTableFor(file, options.family(), source);
        }
        return out;
    }

    /** The file read through the language, its warnings printed; its errors, all of them, thrown. */
    private static RulesetSource checked(Path file, Family defaultFamily, ValueResolver resolver, PrintWriter err,
                                         Consumer<Set<Path>> inputs) {
        return RulesetFile.checked(file, defaultFamily, Optional.of(resolver), NameDatabase.system(), printing(err),
                inputs);
    }

    /** Warnings printed on {@code err} as they come. */
    static Consumer<String> printing(PrintWriter err) {
        return warnings -> {
            err.print(warnings);
            err.flush();
        };
    }

    /** The errors (or the warnings) of {@code source}, each with its line and caret. */
    static String render(RulesetSource source, boolean errors) {
        return RulesetFile.render(source, errors);
    }
}
