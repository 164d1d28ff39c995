package io.rampart.model.extension;

/** Where an extension's options stand in a rule. */
public enum ExtensionKind {
    /** The protocol-independent header options ({@code -s -d -i -o -p -f}), printed without {@code -m}. */
    HEADER,
    /** A match, loaded with {@code -m NAME} or implicitly by {@code -p}. */
    MATCH,
    /** A target, given with {@code -j NAME}. */
    TARGET
}
