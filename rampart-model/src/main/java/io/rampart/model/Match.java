package io.rampart.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A match extension loaded by a rule ({@code -m NAME ...}) with its options in canonical order. */
public record Match(String extension, List<Option> options) {

    public Match {
        Objects.requireNonNull(extension, "extension");
        options = List.copyOf(options);
    }

    // Written out, as Rule's are.
    @Override
    public boolean equals(Object other) {
        return other instanceof Match match && extension.equals(match.extension) && options.equals(match.options);
    }

    @Override
    public int hashCode() {
        return extension.hashCode() * 31 + options.hashCode();
    }

    public Optional<Option> option(String name) {
        return options.stream().filter(o -> o.name().equals(name)).findFirst();
    }
}
