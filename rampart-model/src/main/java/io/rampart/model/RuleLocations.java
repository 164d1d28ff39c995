package io.rampart.model;

/**
 * Where rule {@code index} of a table was written, as {@code file:line}, or null when unknown: the
 * tracer and the reconciler name rules by it without knowing the language they were written in.
 */
@FunctionalInterface
public interface RuleLocations {
    String of(Table table, int index);
}
