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

    public Optional<Option> option(String name) {
        return options.stream().filter(o -> o.name().equals(name)).findFirst();
    }
}
