package io.rampart.model.extension;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host's names a rule may use in place of numbers: protocols, services, users and groups, and
 * host names (DNS). Value types ask the one their {@link ValueContext} carries, so what a rule
 * means depends on the names passed in rather than on the machine the model runs on. The front
 * ends pass {@link NameDatabase#system()}, this host's names as iptables would read them; what reads
 * no host's files uses {@link NameDatabase#builtin()}.
 */
public interface HostNames {

    /** The protocol number for a name (any case) or a number, as xtables_parse_protocol reads it. */
    Optional<Integer> protocolNumber(String text);

    /** The protocol number for a name spelt exactly, as extensions look protocols up with getprotobyname(3). */
    Optional<Integer> protocolNumberOfExactName(String name);

    /** The name iptables-save prints for a protocol number (the number itself when none). */
    String protocolName(int number);

    /** The number of a name in the system's protocol list only, as getprotobyname(3). */
    Optional<Integer> systemProtocolNumber(String name);

    /** The system's name for a protocol number, as getprotobynumber(3). */
    Optional<String> systemProtocolName(int number);

    /** The port of a service name for a protocol ({@code tcp}, {@code udp}, ...). */
    Optional<Integer> servicePort(String name, String protocol);

    /** The id of a user name, as getpwnam(3). */
    Optional<Long> userId(String name);

    /** The id of a group name, as getgrnam(3). */
    Optional<Long> groupId(String name);

    /** Every address of a host name, of either family, as getaddrinfo(3); empty when the name is unknown. */
    Optional<List<byte[]>> addresses(String host);

    /**
     * The entries of iproute2's table {@code table} ({@code group}, {@code rt_realms}: the
     * {@code ID NAME} lines of {@code /etc/iproute2/TABLE}), in the file's order; empty without it.
     */
    List<Map.Entry<Long, String>> iproute2Names(String table);

    /** The connection label names ({@code /etc/xtables/connlabel.conf}) by bit, in the file's order; empty without it. */
    Map<Integer, String> connectionLabels();
}
