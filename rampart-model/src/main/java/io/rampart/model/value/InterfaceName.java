package io.rampart.model.value;

import java.util.Objects;

/** An interface name as a rule matches it: exactly, or every name with its prefix when it ends in {@code +}. */
public record InterfaceName(String text) implements Value {

    public InterfaceName {
        Objects.requireNonNull(text, "text");
    }

    public boolean wildcard() {
        return text.endsWith("+");
    }

    /** Whether a packet's interface ({@code null}: none) is matched. */
    public boolean matches(String iface) {
        String name = iface == null ? "" : iface;
        return wildcard() ? name.startsWith(text.substring(0, text.length() - 1)) : name.equals(text);
    }
}
