package io.rampart.model;

/** The verdict of a built-in chain for packets that reach its end. */
public enum Policy {
    ACCEPT, DROP
}
