package io.rampart.model.value;

import java.util.List;

/** Words of a fixed vocabulary, any of which may hold (conntrack states, address types), in canonical order. */
public record WordSet(List<String> words) implements Value {

    public WordSet {
        words = List.copyOf(words);
    }

    public static WordSet parse(String canonical) {
        return new WordSet(List.of(canonical.split(",")));
    }

    public boolean contains(String word) {
        return words.contains(word);
    }

    @Override
    public String text() {
        return String.join(",", words);
    }
}
