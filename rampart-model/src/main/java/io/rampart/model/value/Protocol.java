package io.rampart.model.value;

/** A layer-4 protocol: its number, printed by its name ({@code name} is the number itself when it has none). */
public record Protocol(int number, String name) implements Value {

    @Override
    public String text() {
        return name;
    }
}
