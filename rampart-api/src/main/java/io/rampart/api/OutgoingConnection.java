package io.rampart.api;

/**
 * A TCP connection this host opens to a server, which an apply must not cut: the fleet agent's
 * own connections to etcd.
 *
 * @param purpose what the server is, for messages ("etcd")
 * @param server  the server's address, a literal of either family
 */
public record OutgoingConnection(String purpose, String server, int port) {

    /**
     * The local port the traced packets leave from: the first of Linux's default ephemeral range
     * (net.ipv4.ip_local_port_range), as a new connection's port is only known once it is made.
     */
    public static final int LOCAL_PORT = 32768;
}
