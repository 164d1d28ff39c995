package io.rampart.model.extension;

import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.Option;
import io.rampart.model.Table;
import io.rampart.model.value.Value;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything Rampart knows about one match or target extension: the single source for parsing,
 * checking, canonical printing, help and the JSON description.
 *
 * @param name         the name after {@code -m} or {@code -j}, as iptables-save prints it
 * @param kind         header, match or target
 * @param families     the families the extension exists in
 * @param help         one line on what it does
 * @param options      the options, in the order iptables-save prints them
 * @param tables       the tables it may be used in
 * @param hooks        the hooks it may be reached from
 * @param protocol     for a match that {@code -p} loads implicitly, that protocol's canonical name
 * @param canonicalizer defaults, rewrites and cross-option checks
 * @param semantics    what the match means for a packet, as the tracer and the analysis read it
 * @param effect       what the target does to the packet or its connection, from its options
 */
public record ExtensionSpec(String name, ExtensionKind kind, Set<Family> families, String help,
                            List<OptionSpec> options, Set<Table> tables, Set<Hook> hooks,
                            String protocol, Canonicalizer canonicalizer, MatchSemantics semantics,
                            TargetSemantics.Declaration effect) {

    public ExtensionSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(help, "help");
        families = Set.copyOf(families);
        options = List.copyOf(options);
        tables = Set.copyOf(tables);
        hooks = Set.copyOf(hooks);
        Objects.requireNonNull(canonicalizer, "canonicalizer");
        Objects.requireNonNull(semantics, "semantics");
        Objects.requireNonNull(effect, "effect");
    }

    private static final TargetSemantics.Declaration UNDECLARED = TargetSemantics.always(TargetSemantics.UNDECLARED);

    public static ExtensionSpec match(String name, String help, OptionSpec... options) {
        return new ExtensionSpec(name, ExtensionKind.MATCH, EnumSet.allOf(Family.class), help, List.of(options),
                EnumSet.allOf(Table.class), EnumSet.allOf(Hook.class), null, Canonicalizer.NONE,
                MatchSemantics.NOT_MODELLED, UNDECLARED);
    }

    public static ExtensionSpec target(String name, String help, OptionSpec... options) {
        return new ExtensionSpec(name, ExtensionKind.TARGET, EnumSet.allOf(Family.class), help, List.of(options),
                EnumSet.allOf(Table.class), EnumSet.allOf(Hook.class), null, Canonicalizer.NONE,
                MatchSemantics.NOT_MODELLED, UNDECLARED);
    }

    public static ExtensionSpec header(Family family, String help, OptionSpec... options) {
        return new ExtensionSpec(family == Family.IPV4 ? "ip" : "ip6", ExtensionKind.HEADER, EnumSet.of(family), help,
                List.of(options), EnumSet.allOf(Table.class), EnumSet.allOf(Hook.class), null, Canonicalizer.NONE,
                MatchSemantics.NOT_MODELLED, UNDECLARED);
    }

    public ExtensionSpec onlyFor(Family family) {
        return new ExtensionSpec(name, kind, EnumSet.of(family), help, options, tables, hooks, protocol, canonicalizer,
                semantics, effect);
    }

    public ExtensionSpec inTables(Table first, Table... rest) {
        return new ExtensionSpec(name, kind, families, help, options, EnumSet.of(first, rest), hooks, protocol,
                canonicalizer, semantics, effect);
    }

    public ExtensionSpec atHooks(Hook first, Hook... rest) {
        return new ExtensionSpec(name, kind, families, help, options, tables, EnumSet.of(first, rest), protocol,
                canonicalizer, semantics, effect);
    }

    /** Marks a match as the one {@code -p PROTOCOL} loads when one of its options follows. */
    public ExtensionSpec implicitFor(String protocolName) {
        return new ExtensionSpec(name, kind, families, help, options, tables, hooks, protocolName, canonicalizer,
                semantics, effect);
    }

    public ExtensionSpec canonicalizedBy(Canonicalizer next) {
        return new ExtensionSpec(name, kind, families, help, options, tables, hooks, protocol, next, semantics,
                effect);
    }

    /** Declares what the match means for a packet (see {@link MatchSemantics}). */
    public ExtensionSpec means(MatchSemantics next) {
        return new ExtensionSpec(name, kind, families, help, options, tables, hooks, protocol, canonicalizer, next,
                effect);
    }

    /** Declares what the target does, the same whatever its options (see {@link TargetSemantics}). */
    public ExtensionSpec does(TargetSemantics semantics) {
        return does(TargetSemantics.always(semantics));
    }

    /** Declares what the target does, as its options say (see {@link TargetSemantics}). */
    public ExtensionSpec does(TargetSemantics.Declaration next) {
        return new ExtensionSpec(name, kind, families, help, options, tables, hooks, protocol, canonicalizer, semantics,
                next);
    }

    /** What this target does with these canonical options, each read as its type's value. */
    public TargetSemantics targetSemantics(List<Option> given) {
        return effect.of(typedAll(given, NameDatabase.builtin()));
    }


    public boolean availableIn(Family family) {
        return families.contains(family);
    }

    public Optional<String> implicitProtocol() {
        return Optional.ofNullable(protocol);
    }

    /** The option a name (canonical or alias, without dashes) stands for. */
    public Optional<OptionSpec> option(String anyName) {
        for (OptionSpec option : options) {
            if (option.name().equals(anyName) || option.aliases().contains(anyName)) {
                return Optional.of(option);
            }
        }
        return Optional.empty();
    }

    /**
     * The canonical options for what a user gave: in save order (unless the canonicalizer wants
     * them as given and orders them itself), with the extension's defaults and
     * rewrites applied, and every required option present.
     */
    public List<Option> canonicalize(List<Option> given, ValueContext context) throws InvalidValueException {
        List<Option> ordered = canonicalizer instanceof Canonicalizer.InGivenOrder || inSaveOrder(given)
                ? List.copyOf(given) : sortedForSave(given);
        for (OptionSpec option : options) {
            if (option.mandatory() && !contains(ordered, option.name())) {
                throw new InvalidValueException(describeKind() + " needs " + OptionSpec.spell(option.name()));
            }
        }
        List<Option> canonical = canonicalizer.apply(ordered, context);
        for (int i = 0; i < canonical.size(); i++) {
            Option option = canonical.get(i);
            if (!option.typed()) {
                return typedAll(canonical, context.names());
            }
        }
        return canonical;
    }

    private List<Option> typedAll(List<Option> options, HostNames names) {
        List<Option> out = new ArrayList<>(options.size());
        for (Option option : options) {
            out.add(typed(option, names));
        }
        return List.copyOf(out);
    }

    /**
     * {@code option} with its arguments as the values its types read from their canonical text:
     * for options a canonicalizer, a test or a program built from text. An option this spec does
     * not have, or whose text is not canonical, stays as it is; so does one naming what only the
     * host's names know, as no names are looked up (see {@link #typed(Option, HostNames)}).
     */
    public Option typed(Option option) {
        return typed(option, NameDatabase.builtin());
    }

    /** {@code option} typed as {@link #typed(Option)} does, names looked up in {@code names}. */
    public Option typed(Option option, HostNames names) {
        if (option.typed()) {
            return option;
        }
        Optional<OptionSpec> spec = option(option.name());
        // An optional argument may be left out: the ones given are the first.
        if (spec.isEmpty() || spec.get().args().size() < option.args().size()) {
            return option;
        }
        List<Value> values = new ArrayList<>(option.args().size());
        for (int i = 0; i < option.args().size(); i++) {
            try {
                values.add(spec.get().args().get(i).value(option.args().get(i), names));
            } catch (RuntimeException notCanonical) {
                return option;
            }
        }
        return Option.typed(option.name(), option.negated(), values);
    }

    /**
     * Whether the kernel keeps this match in the rule, for the options as {@code given} and as
     * {@link #canonicalize}d: always, except for a {@link Canonicalizer.NativeInNfTables} match
     * left with no option after a negated one.
     */
    public boolean keptInRule(List<Option> given, List<Option> canonical) {
        return !(canonicalizer instanceof Canonicalizer.NativeInNfTables && canonical.isEmpty()
                && given.stream().anyMatch(Option::negated));
    }

    /** Options are mostly given in save order already: then there is nothing to sort. */
    private boolean inSaveOrder(List<Option> given) {
        int previous = 0;
        for (Option option : given) {
            int index = saveIndex(option);
            if (index < previous) {
                return false;
            }
            previous = index;
        }
        return true;
    }

    private List<Option> sortedForSave(List<Option> given) {
        List<Option> sorted = new ArrayList<>(given);
        sorted.sort(Comparator.comparingInt(this::saveIndex));
        return List.copyOf(sorted);
    }

    private static boolean contains(List<Option> given, String name) {
        for (Option option : given) {
            if (option.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** "match tcp", "target LOG": how messages refer to this extension. */
    public String describeKind() {
        return switch (kind) {
            case HEADER -> "rule";
            case MATCH -> "match " + name;
            case TARGET -> "target " + name;
        };
    }

    private int saveIndex(Option option) {
        for (int i = 0; i < options.size(); i++) {
            if (options.get(i).name().equals(option.name())) {
                return i;
            }
        }
        return options.size();
    }
}
