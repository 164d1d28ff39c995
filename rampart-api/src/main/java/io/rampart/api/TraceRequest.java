package io.rampart.api;

import java.util.List;
import java.util.Map;

/**
 * A packet to follow through the live ruleset.
 *
 * @param packet the keys of a {@code --packets} line, which are also the trace flags: in, out, local,
 *               src, dst, proto, sport, dport, tcp_flags, icmp_type, ttl, tos, length, mark, ct_state
 * @param assume {@code NAME=match|nomatch}, as {@code --assume}
 * @param family {@code ipv4} or {@code ipv6}; null for the server's family
 */
public record TraceRequest(Map<String, String> packet, boolean explain, List<String> assume, String family) {

    public TraceRequest {
        packet = packet == null ? Map.of() : Map.copyOf(packet);
        assume = assume == null ? List.of() : List.copyOf(assume);
    }
}
