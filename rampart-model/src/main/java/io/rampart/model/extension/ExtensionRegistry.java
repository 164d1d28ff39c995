package io.rampart.model.extension;

import io.rampart.model.Family;
import io.rampart.model.Target;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;

/** All extensions Rampart understands, looked up by kind, name and family. */
public final class ExtensionRegistry {

    private final List<ExtensionSpec> specs;
    /**
     * Lookups by kind, family and name happen several times per parsed rule: keep them O(1) and
     * free of key building.
     */
    private final Map<ExtensionKind, Map<Family, Map<String, ExtensionSpec>>> byKey = new EnumMap<>(ExtensionKind.class);
    private final Map<Family, Map<String, ExtensionSpec>> implicitByProtocol = new EnumMap<>(Family.class);
    /**
     * Each extension's options by every exact name, the first option of a name winning: the parser
     * looks one up for every option word, and an extension has up to dozens of options.
     */
    private final Map<ExtensionSpec, Map<String, OptionSpec>> optionsByName = new IdentityHashMap<>();
    private final List<WithdrawnTarget> withdrawnTargets;

    /**
     * A target iptables still knows in a family but the kernel no longer has.
     *
     * @param replacement a sentence on what to use instead
     */
    public record WithdrawnTarget(String name, Family family, String replacement) {
    }

    public ExtensionRegistry(List<ExtensionSpec> specs) {
        this(specs, List.of());
    }

    public ExtensionRegistry(List<ExtensionSpec> specs, List<WithdrawnTarget> withdrawnTargets) {
        this.withdrawnTargets = List.copyOf(withdrawnTargets);
        List<ExtensionSpec> sorted = new ArrayList<>(specs);
        sorted.sort(Comparator.comparing(ExtensionSpec::kind).thenComparing(ExtensionSpec::name));
        this.specs = List.copyOf(sorted);
        for (ExtensionSpec spec : this.specs) {
            optionsByName.put(spec, namesOf(spec));
        }
        for (ExtensionSpec spec : specs) {
            for (Family family : spec.families()) {
                if (byName(spec.kind(), family).put(spec.name(), spec) != null) {
                    throw new IllegalArgumentException("two " + spec.kind() + " extensions named " + spec.name()
                            + " for " + family);
                }
                spec.implicitProtocol().ifPresent(p -> implicitByProtocol.computeIfAbsent(family,
                        f -> new HashMap<>()).putIfAbsent(p, spec));
            }
        }
    }

    public List<ExtensionSpec> all() {
        return specs;
    }

    public List<ExtensionSpec> all(ExtensionKind kind, Family family) {
        return specs.stream().filter(s -> s.kind() == kind && s.availableIn(family)).toList();
    }

    public ExtensionSpec header(Family family) {
        return find(ExtensionKind.HEADER, family, family == Family.IPV4 ? "ip" : "ip6").orElseThrow();
    }

    public Optional<ExtensionSpec> match(String name, Family family) {
        return find(ExtensionKind.MATCH, family, name);
    }

    public Optional<ExtensionSpec> target(String name, Family family) {
        return find(ExtensionKind.TARGET, family, name);
    }

    /**
     * What {@code target} does, as its spec declares it ({@link TargetSemantics}); a name that is
     * no target extension of the family is a user chain, jumped or gone to. Null: the rule has no target.
     */
    public TargetSemantics targetSemantics(Target target, Family family) {
        if (target == null) {
            return TargetSemantics.NOTHING;
        }
        Optional<ExtensionSpec> spec = target(target.name(), family);
        if (spec.isPresent()) {
            return spec.get().targetSemantics(target.options());
        }
        return target.kind() == Target.Kind.GOTO ? new TargetSemantics.Goto(target.name())
                : new TargetSemantics.Jump(target.name());
    }

    /**
     * Why {@code -j NAME} cannot be used although iptables knows NAME as a target of this family:
     * the kernel no longer has it. Such a name is never a jump to a chain.
     */
    public Optional<String> withdrawnTarget(String name, Family family) {
        return withdrawnTargets.stream().filter(t -> t.name().equals(name) && t.family() == family).findFirst()
                .map(t -> "target " + name + " is no longer in the kernel: " + t.replacement());
    }

    /** Every withdrawn target (for describe). */
    public List<WithdrawnTarget> withdrawnTargets() {
        return withdrawnTargets;
    }

    /**
     * Whether iptables of this family takes NAME for a target, so that no chain may have that name
     * ({@code iptables -N} refuses it: "chain name may not clash with target name").
     */
    public boolean isTargetName(String name, Family family) {
        return target(name, family).isPresent() || withdrawnTarget(name, family).isPresent();
    }

    /** For a name that is no target here but one of the other family: a hint saying so. */
    public Optional<String> otherFamilyTarget(String name, Family family) {
        if (isTargetName(name, family)) {
            return Optional.empty();
        }
        for (Family other : Family.values()) {
            if (target(name, other).isPresent()) {
                return Optional.of(name + " is a target of " + other.command() + " only, not of " + family.command());
            }
        }
        return Optional.empty();
    }

    /** The match that {@code -p PROTOCOL} loads when one of its options follows, if any. */
    public Optional<ExtensionSpec> implicitMatch(String protocol, Family family) {
        return Optional.ofNullable(implicitByProtocol.getOrDefault(family, Map.of()).get(protocol));
    }

    /**
     * The first option of {@code spec}, an extension of this registry, that has exactly this name:
     * a long one ({@code --name}) when {@code longWord}, else a letter; null when none has.
     */
    public OptionSpec exactOption(ExtensionSpec spec, String name, boolean longWord) {
        Map<String, OptionSpec> names = optionsByName.get(spec);
        if (names == null) {
            throw new IllegalArgumentException(spec.describeKind() + " is not in this registry");
        }
        return (name.length() > 1) == longWord ? names.get(name) : null;
    }

    private static Map<String, OptionSpec> namesOf(ExtensionSpec spec) {
        Map<String, OptionSpec> names = new HashMap<>();
        for (OptionSpec option : spec.options()) {
            for (String name : option.names()) {
                names.putIfAbsent(name, option);
            }
        }
        return names;
    }

    /** Every extension of a name, whatever its kind or family (for describe). */
    public List<ExtensionSpec> named(String name) {
        return specs.stream().filter(s -> s.name().equalsIgnoreCase(name)).toList();
    }

    private Optional<ExtensionSpec> find(ExtensionKind kind, Family family, String name) {
        Map<Family, Map<String, ExtensionSpec>> ofKind = byKey.get(kind);
        Map<String, ExtensionSpec> ofFamily = ofKind == null ? null : ofKind.get(family);
        return Optional.ofNullable(ofFamily == null ? null : ofFamily.get(name));
    }

    /** The extensions of one kind and family by name, for filling in. */
    private Map<String, ExtensionSpec> byName(ExtensionKind kind, Family family) {
        return byKey.computeIfAbsent(kind, k -> new EnumMap<>(Family.class)).computeIfAbsent(family,
                f -> new HashMap<>());
    }
}
