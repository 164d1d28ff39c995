package io.rampart.model.value;

/**
 * One option argument as a value: what it means (a port range, a network, a mark under a mask,
 * ...) and its canonical spelling, exactly as iptables-save prints it. Values compare by what they
 * mean; two canonical spellings are equal exactly when their values are.
 */
public interface Value {

    /** The canonical spelling, unquoted. */
    String text();
}
