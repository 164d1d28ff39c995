package io.rampart.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The variables in force: the file's own, and inside a macro its parameters on top of them. */
final class Scope {

    /** What a variable holds: one piece of text, or a list that expands into one rule per element. */
    sealed interface Value permits Scalar, ListValue {
    }

    record Scalar(String text) implements Value {
    }

    record ListValue(List<String> items) implements Value {
        ListValue {
            items = List.copyOf(items);
        }
    }

    /** A variable's value and where it was defined. */
    record Binding(Value value, SourceRef where) {
    }

    private final Scope parent;
    private final Map<String, Binding> own = new HashMap<>();

    private Scope(Scope parent) {
        this.parent = parent;
    }

    static Scope global() {
        return new Scope(null);
    }

    Scope child() {
        return new Scope(this);
    }

    Optional<Binding> lookup(String name) {
        for (Scope scope = this; scope != null; scope = scope.parent) {
            Binding binding = scope.own.get(name);
            if (binding != null) {
                return Optional.of(binding);
            }
        }
        return Optional.empty();
    }

    /** Defines {@code name} here; the earlier binding when the name is taken in this scope or an outer one. */
    Optional<Binding> define(String name, Binding binding) {
        Optional<Binding> earlier = lookup(name);
        if (earlier.isEmpty()) {
            own.put(name, binding);
        }
        return earlier;
    }

    /** Binds a macro parameter here, over any variable of that name outside the macro. */
    void bind(String name, Binding binding) {
        own.put(name, binding);
    }

    Set<String> names() {
        Set<String> names = new TreeSet<>();
        for (Scope scope = this; scope != null; scope = scope.parent) {
            names.addAll(scope.own.keySet());
        }
        return names;
    }
}
