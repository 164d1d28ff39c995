package io.rampart.api;

import io.rampart.model.Failure;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * How the server listens.
 *
 * @param keystore a PKCS12 keystore with the certificate and key for HTTPS, or null for plain HTTP
 * @param keystorePassword its password
 * @param maxBodyBytes requests with a larger body are refused with 413
 * @param metricsRules {@code /metrics} has series per rule while a family has at most this many rules,
 *                     and per chain while it has at most as many chains
 */
public record ServerOptions(InetSocketAddress listen, Path keystore, char[] keystorePassword, ServerToken token,
                            int maxBodyBytes, int metricsRules) {

    /** Options with the default limit of per-rule metrics. */
    public ServerOptions(InetSocketAddress listen, Path keystore, char[] keystorePassword, ServerToken token,
                         int maxBodyBytes) {
        this(listen, keystore, keystorePassword, token, maxBodyBytes, DEFAULT_METRICS_RULES);
    }

    public static final String DEFAULT_LISTEN = "127.0.0.1:8080";
    public static final int DEFAULT_MAX_BODY = 1 << 20;
    public static final int DEFAULT_METRICS_RULES = 2_000;

    /** {@code HOST:PORT}, {@code [IPV6]:PORT}; the host is an address, as names could resolve anywhere. */
    public static InetSocketAddress parseListen(String text) {
        int colon = text.lastIndexOf(':');
        String usage = "--listen: expected ADDRESS:PORT, e.g. " + DEFAULT_LISTEN + " or [::1]:8080, not `" + text + "'";
        if (colon <= 0) {
            throw new Failure(Failure.Category.USAGE, usage);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new Failure(Failure.Category.USAGE, usage);
        }
        if (port < 0 || port > 65_535 || !(host.matches("[0-9.]+") || host.contains(":"))) {
            throw new Failure(Failure.Category.USAGE, usage);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new Failure(Failure.Category.USAGE, usage);
        }
    }

    public ServerOptions withToken(ServerToken given) {
        return new ServerOptions(listen, keystore, keystorePassword, given, maxBodyBytes, metricsRules);
    }

    public ServerOptions withMetricsRules(int limit) {
        return new ServerOptions(listen, keystore, keystorePassword, token, maxBodyBytes, limit);
    }

    /** Refuses what would expose the kernel: a non-loopback address without TLS. */
    public void validate() {
        if (metricsRules < 0) {
            throw new Failure(Failure.Category.USAGE, "--metrics-rules: " + metricsRules + " is negative");
        }
        if (!listen.getAddress().isLoopbackAddress() && keystore == null) {
            throw new Failure(Failure.Category.USAGE, "--listen " + listen.getAddress().getHostAddress()
                    + " is reachable from other hosts: give --tls-keystore (and --tls-password-file) to serve HTTPS,"
                    + " or listen on 127.0.0.1");
        }
    }
}
