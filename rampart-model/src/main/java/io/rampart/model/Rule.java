package io.rampart.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One rule in canonical form: its chain, the protocol-independent header options
 * ({@code -s -d -i -o -p -f}), the match extensions in the order the kernel keeps them, and the
 * target, if any (a rule without one only counts packets). Two rules are the same rule for the
 * kernel exactly when they are equal.
 */
public record Rule(String chain, List<Option> header, List<Match> matches, Target target) {

    public Rule {
        Objects.requireNonNull(chain, "chain");
        header = List.copyOf(header);
        matches = List.copyOf(matches);
    }

    // Written out rather than a record's own, which goes through method handles: these are hashed and
    // compared for every rule of a large ruleset, where only the first compiler has compiled them.
    @Override
    public boolean equals(Object other) {
        return other instanceof Rule rule && chain.equals(rule.chain) && header.equals(rule.header)
                && matches.equals(rule.matches) && Objects.equals(target, rule.target);
    }

    @Override
    public int hashCode() {
        return ((chain.hashCode() * 31 + header.hashCode()) * 31 + matches.hashCode()) * 31 + Objects.hashCode(target);
    }

    public Optional<Target> targetIfAny() {
        return Optional.ofNullable(target);
    }

    public Optional<Option> headerOption(String name) {
        return header.stream().filter(o -> o.name().equals(name)).findFirst();
    }

    public Optional<Match> match(String extension) {
        return matches.stream().filter(m -> m.extension().equals(extension)).findFirst();
    }
}
