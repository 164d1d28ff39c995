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
}
