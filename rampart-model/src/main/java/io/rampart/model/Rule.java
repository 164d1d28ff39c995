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
