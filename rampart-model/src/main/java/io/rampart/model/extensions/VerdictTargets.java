package io.rampart.model.extensions;

import io.rampart.model.extension.ExtensionSpec;
import java.util.List;

/** The standard verdicts, which end (or return from) a chain. */
final class VerdictTargets {

    private VerdictTargets() {
    }

    static List<ExtensionSpec> specs() {
        return List.of(
                ExtensionSpec.target("ACCEPT", "let the packet through this table's hook"),
                ExtensionSpec.target("DROP", "discard the packet silently"),
                ExtensionSpec.target("RETURN", "go back to the calling chain (in a built-in chain: its policy)"),
                ExtensionSpec.target("QUEUE", "hand the packet to user space on queue 0"));
    }
}
