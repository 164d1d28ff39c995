package io.rampart.model;

import io.rampart.model.value.Value;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * An option's arguments as values with their canonical text: a list of the texts, so the option
 * prints, compares and serializes as text, while the values stay at hand for those who read what
 * the arguments mean. Immutable; the texts are computed once. Most options have one argument, and
 * a large ruleset holds hundreds of thousands of them, so that case is one small object.
 */
abstract sealed class Arguments extends AbstractList<String> implements RandomAccess {

    static Arguments of(List<? extends Value> values) {
        return values.size() == 1 ? new One(values.get(0)) : new Many(values);
    }

    abstract List<Value> values();

    /** One argument: the value and its text, with no arrays or lists around them. */
    private static final class One extends Arguments {
        private final Value value;
        private final String text;

        One(Value value) {
            this.value = value;
            this.text = value.text();
        }

        @Override
        List<Value> values() {
            return List.of(value);
        }

        @Override
        public String get(int index) {
            if (index != 0) {
                throw new IndexOutOfBoundsException(index);
            }
            return text;
        }

        @Override
        public int size() {
            return 1;
        }

        // Options are hashed and compared for every rule of a large ruleset (the interner, the
        // checks): List's own hashCode and equals walk it with iterators.
        @Override
        public int hashCode() {
            return 31 + text.hashCode();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof One one ? text.equals(one.text) : super.equals(other);
        }
    }

    /** No argument or several. */
    private static final class Many extends Arguments {
        private final List<Value> values;
        private final String[] texts;

        Many(List<? extends Value> values) {
            this.values = List.copyOf(values);
            this.texts = new String[this.values.size()];
            for (int i = 0; i < texts.length; i++) {
                texts[i] = this.values.get(i).text();
            }
        }

        @Override
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

        @Override
        public int hashCode() {
            return Arrays.hashCode(texts);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Many many ? Arrays.equals(texts, many.texts) : super.equals(other);
        }
    }
}
