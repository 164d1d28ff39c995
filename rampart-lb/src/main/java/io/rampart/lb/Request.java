package io.rampart.lb;

/**
 * One invocation, with IPTLB's flags as given (values unchecked; {@code null} when not given).
 *
 * @param masquerade a proxy profile masquerades the traffic it forwards (off: {@code -no-masquerade})
 * @param forwarding applying a proxy profile turns on forwarding (off: {@code -no-forwarding})
 */
public record Request(String profile, String source, String destinations, String rulesBackend, String protocol,
                      boolean reset, boolean delete, boolean run, boolean useState, boolean logEnabled,
                      String logLevel, boolean masquerade, boolean forwarding) {

    /** IPTLB's defaults: profile {@code default}, client, tcp, log level 4; Rampart's: masquerade and forward. */
    public static Request defaults() {
        return new Request("default", null, null, "client", "tcp", false, false, false, false, false, "4", true,
                true);
    }
}
