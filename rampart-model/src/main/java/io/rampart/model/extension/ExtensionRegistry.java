package io.rampart.model.extension;

import io.rampart.model.Family;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;

/** All extensions Rampart understands, looked up by kind, name and family. */
public final class ExtensionRegistry {

    private final List<ExtensionSpec> specs;
    /** Lookups by kind, family and name happen several times per parsed rule: keep them O(1). */
    private final Map<String, ExtensionSpec> byKey = new HashMap<>();
    private final Map<String, ExtensionSpec> implicitByProtocol = new HashMap<>();

    public ExtensionRegistry(List<ExtensionSpec> specs) {
        List<ExtensionSpec> sorted = new ArrayList<>(specs);
        sorted.sort(Comparator.comparing(ExtensionSpec::kind).thenComparing(ExtensionSpec::name));
        this.specs = List.copyOf(sorted);
        for (ExtensionSpec spec : specs) {
            for (Family family : spec.families()) {
                if (byKey.put(key(spec.kind(), family, spec.name()), spec) != null) {
                    throw new IllegalArgumentException("two " + spec.kind() + " extensions named " + spec.name()
                            + " for " + family);
                }
                spec.implicitProtocol().ifPresent(p -> implicitByProtocol.putIfAbsent(family + "/" + p, spec));
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

    /** The match that {@code -p PROTOCOL} loads when one of its options follows, if any. */
    public Optional<ExtensionSpec> implicitMatch(String protocol, Family family) {
        return Optional.ofNullable(implicitByProtocol.get(family + "/" + protocol));
    }

    /** Every extension of a name, whatever its kind or family (for describe). */
    public List<ExtensionSpec> named(String name) {
        return specs.stream().filter(s -> s.name().equalsIgnoreCase(name)).toList();
    }

    private Optional<ExtensionSpec> find(ExtensionKind kind, Family family, String name) {
        return Optional.ofNullable(byKey.get(key(kind, family, name)));
    }

    private static String key(ExtensionKind kind, Family family, String name) {
        return kind.ordinal() + "/" + family.ordinal() + "/" + name;
    }
}
