package io.rampart.lb;

import java.util.Locale;

/**
 * Where the balancing happens ({@code -rules-backend}), and so which nat chain captures the traffic.
 * A server and a proxy both see the traffic arrive, so both capture it in PREROUTING (the kernel
 * refuses DNAT in nat INPUT); a proxy also masquerades what it forwards so the replies come back.
 */
public enum Mode {
    /** The host that sends the traffic: its own packets, in nat OUTPUT. */
    CLIENT("OUTPUT"),
    /** A host in between that forwards to the backends: nat PREROUTING, plus MASQUERADE in POSTROUTING. */
    PROXY("PREROUTING"),
    /** The host the traffic is addressed to, balancing among its own addresses or ports: nat PREROUTING. */
    SERVER("PREROUTING");

    private final String hook;

    Mode(String hook) {
        this.hook = hook;
    }

    public String hook() {
        return hook;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Mode parse(String text, String what) throws LbException {
        for (Mode mode : values()) {
            if (mode.label().equals(text)) {
                return mode;
            }
        }
        throw new LbException(what + ": unknown rules backend `" + text + "': use client, proxy or server");
    }
}
