package io.rampart.model;

import io.rampart.model.value.Value;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * An option's arguments as values with their canonical text: a list of the texts, so the option
 * prints, compares and serializes as text, while the values stay at hand for those who read what
 * the arguments mean. Immutable; the texts are computed once.
 */
final class Arguments extends AbstractList<String> implements RandomAccess {

    private final List<Value> values;
    private final String[] texts;

    Arguments(List<? extends Value> values) {
        this.values = List.copyOf(values);
        this.texts = new String[this.values.size()];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = this.values.get(i).text();
        }
    }

    List<Value> values() {
        return values;
    }

    @Override
    public String get(int index) {
        return texts[index];
    }

    @Override
    public int size() {
        return texts.length;
    }
}
