package io.rampart.model;

/** The netfilter hooks, in the order a forwarded packet meets them. */
public enum Hook {
    PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING
}
