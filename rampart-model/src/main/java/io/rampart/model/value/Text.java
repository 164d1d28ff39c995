package io.rampart.model.value;

import java.util.Objects;

/** An argument whose meaning is its text: a comment, a prefix, a name the model does not interpret. */
public record Text(String text) implements Value {

    public Text {
        Objects.requireNonNull(text, "text");
    }
}
