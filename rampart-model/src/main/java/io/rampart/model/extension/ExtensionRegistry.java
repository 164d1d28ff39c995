package io.rampart.model.extension;

import io.rampart.model.Family;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** All extensions Rampart understands, looked up by kind, name and family. */
public final class ExtensionRegistry {

    private final List<ExtensionSpec> specs;

    public ExtensionRegistry(List<ExtensionSpec> specs) {
        List<ExtensionSpec> sorted = new ArrayList<>(specs);
        sorted.sort(Comparator.comparing(ExtensionSpec::kind).thenComparing(ExtensionSpec::name));
        this.specs = List.copyOf(sorted);
        for (ExtensionSpec spec : specs) {
            for (Family family : spec.families()) {
                long same = specs.stream()
                        .filter(s -> s.kind() == spec.kind() && s.name().equals(spec.name()) && s.availableIn(family))
                        .count();
                if (same > 1) {
                    throw new IllegalArgumentException("two " + spec.kind() + " extensions named " + spec.name()
                            + " for " + family);
                }
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
        return specs.stream()
                .filter(s -> s.kind() == ExtensionKind.MATCH && s.availableIn(family)
                        && protocol.equals(s.implicitProtocol().orElse(null)))
                .findFirst();
    }

    /** Every extension of a name, whatever its kind or family (for describe). */
    public List<ExtensionSpec> named(String name) {
        return specs.stream().filter(s -> s.name().equalsIgnoreCase(name)).toList();
    }

    private Optional<ExtensionSpec> find(ExtensionKind kind, Family family, String name) {
        return specs.stream()
                .filter(s -> s.kind() == kind && s.name().equals(name) && s.availableIn(family))
                .findFirst();
    }
}
