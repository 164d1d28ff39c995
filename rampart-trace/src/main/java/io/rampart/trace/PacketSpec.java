package io.rampart.trace;

import com.fasterxml.jackson.databind.JsonNode;
import io.rampart.model.Family;
import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extensions.StandardExtensions;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A packet as the user describes it, by the keys of {@code --packets} lines (which are also the
 * command-line flags): {@code in, out, local, src, dst, proto, sport, dport, tcp_flags, icmp_type,
 * ttl, tos, length, mark, ct_state, ct_mark, ct_nat}. What is not given gets a sensible default: TCP SYN
 * from port 40000 to port 80, ICMP echo request, TTL 64, the length of the headers, a connection with no
 * mark and no NAT.
 */
public final class PacketSpec {

    public static final Set<String> KEYS = Set.of("in", "out", "local", "src", "dst", "proto", "sport", "dport",
            "tcp_flags", "icmp_type", "ttl", "tos", "length", "mark", "ct_state", "spi", "ct_mark", "ct_nat");

    private final Map<String, String> values = new LinkedHashMap<>();
    private final HostNames names;

    /** A packet whose protocol is a number or one of iptables' own names (tcp, udp, icmp, ...). */
    public PacketSpec() {
        this(NameDatabase.builtin());
    }

    /** A packet whose protocol may be any name {@code names} knows. */
    public PacketSpec(HostNames names) {
        this.names = names;
    }

    public PacketSpec set(String key, String value) {
        if (value != null) {
            values.put(key, value);
        }
        return this;
    }

    /** The values given, key to value, in the order they were set. */
    public Map<String, String> values() {
        return java.util.Collections.unmodifiableMap(values);
    }

    /** One line of a {@code --packets} file. */
    public static PacketSpec fromJson(JsonNode object, HostNames names) throws TraceInputException {
        if (!object.isObject()) {
            throw new TraceInputException("a packet is a JSON object");
        }
        PacketSpec spec = new PacketSpec(names);
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!KEYS.contains(field.getKey())) {
                throw new TraceInputException("unknown key `" + field.getKey() + "': use " + String.join(", ",
                        new java.util.TreeSet<>(KEYS)));
            }
            if (!field.getValue().isNull()) {
                spec.set(field.getKey(), field.getValue().asText());
            }
        }
        return spec;
    }

    /** The family both addresses are literals of; empty when they are missing or of different families. */
    public Optional<Family> addressFamily() {
        String src = values.get("src");
        String dst = values.get("dst");
        if (src == null || dst == null) {
            return Optional.empty();
        }
        for (Family family : Family.values()) {
            if (Addresses.parseLiteral(src, family) != null && Addresses.parseLiteral(dst, family) != null) {
                return Optional.of(family);
            }
        }
        return Optional.empty();
    }

    /** The flags named, as {@code --tcp-flags} names them (also ECE and CWR), or ALL or NONE. */
    private static int tcpFlags(String names) throws TraceInputException {
        String upper = names.toUpperCase(java.util.Locale.ROOT);
        if (!upper.equals("ALL") && !upper.equals("NONE")) {
            for (String name : upper.split(",", -1)) {
                if (!Packet.TCP_FLAG_NAMES.contains(name)) {
                    throw new TraceInputException("tcp_flags `" + names + "': `" + name + "' is no TCP flag; use "
                            + String.join(",", Packet.TCP_FLAG_NAMES) + " (any of them, separated by commas), ALL"
                            + " or NONE");
                }
            }
        }
        return PacketConditions.parseFlags(upper);
    }

    /** The SPI an AH or ESP packet gets without {@code spi}: the first one not reserved (RFC 4303). */
    static final long DEFAULT_SPI = 256;

    public Packet build(Family family) throws TraceInputException {
        int proto = protocol(values.getOrDefault("proto", defaultProtocol(family)));
        boolean icmp = proto == (family == Family.IPV4 ? Packet.ICMP : Packet.ICMPV6);
        boolean ports = proto == Packet.TCP || proto == Packet.UDP || proto == 132 || proto == 33 || proto == 136;
        int[] icmpType = icmp ? icmpType(values.getOrDefault("icmp_type",
                family == Family.IPV4 ? "echo-request" : "echo-request"), family) : new int[] {-1, -1};
        int tcpFlags = proto == Packet.TCP ? tcpFlags(values.getOrDefault("tcp_flags", "SYN")) : 0;
        String ct = values.get("ct_state");
        CtState state = ct == null ? null : CtState.byName(ct).orElseThrow(() -> new TraceInputException(
                "ct_state `" + ct + "': use NEW, ESTABLISHED, RELATED, INVALID or UNTRACKED"));
        long ctMark = numberLong("ct_mark", 0, 0xffffffffL);
        int ctNat = ctNat(values.get("ct_nat"));
        if ((ctMark != 0 || ctNat != 0) && (state == null || !state.existingConnection())) {
            throw new TraceInputException("ct_mark and ct_nat describe the connection of an ESTABLISHED or RELATED"
                    + " packet: give ct_state too (a first packet's connection has no mark and no NAT yet)");
        }
        return new Packet(family, values.get("in"), values.get("out"), Boolean.parseBoolean(values.get("local")),
                address("src", family), address("dst", family), proto,
                ports ? number("sport", 40000, 65535) : -1, ports ? number("dport", 80, 65535) : -1, tcpFlags,
                icmpType[0], icmpType[1], number("ttl", DEFAULT_TTL, 255), number("tos", 0, 255),
                (int) numberLong("length", defaultLength(family, proto), minLength(family), maxLength(family)),
                numberLong("mark", 0, 0xffffffffL), state,
                Packet.SPI_PROTOCOLS.contains(proto) ? numberLong("spi", DEFAULT_SPI, proto == 108 ? 0xffff
                        : 0xffffffffL) : -1, ctMark, ctNat);
    }

    /** {@code ct_nat}: NONE, or SNAT, DNAT or both, separated by commas. */
    private static int ctNat(String text) throws TraceInputException {
        int bits = 0;
        if (text == null || text.equalsIgnoreCase("NONE")) {
            return bits;
        }
        for (String name : text.toUpperCase(java.util.Locale.ROOT).split(",", -1)) {
            switch (name) {
                case "SNAT" -> bits |= Packet.CT_SNAT;
                case "DNAT" -> bits |= Packet.CT_DNAT;
                default -> throw new TraceInputException("ct_nat `" + text + "': use SNAT, DNAT, SNAT,DNAT or NONE");
            }
        }
        return bits;
    }

    /** The shortest layer-3 packet: its IP header alone. */
    public static int minLength(Family family) {
        return family == Family.IPV4 ? 20 : 40;
    }

    /** The longest layer-3 packet: IPv6's length field counts the payload alone, after the 40-byte header. */
    public static int maxLength(Family family) {
        return family == Family.IPV4 ? 65535 : 65535 + 40;
    }

    /** The length a packet gets without {@code length}: its headers (TCP 20 bytes, UDP and ICMP 8). */
    public static int defaultLength(Family family, int proto) {
        boolean icmp = proto == (family == Family.IPV4 ? Packet.ICMP : Packet.ICMPV6);
        return (family == Family.IPV4 ? 20 : 40) + (proto == Packet.TCP ? 20 : proto == Packet.UDP || icmp ? 8 : 0);
    }

    private String defaultProtocol(Family family) {
        if (values.containsKey("icmp_type")) {
            return family == Family.IPV4 ? "icmp" : "ipv6-icmp";
        }
        return "tcp";
    }

    private byte[] address(String key, Family family) throws TraceInputException {
        String text = values.get(key);
        if (text == null) {
            throw new TraceInputException(key + ": missing; a packet needs --src and --dst");
        }
        byte[] address = Addresses.parseLiteral(text, family);
        if (address == null) {
            throw new TraceInputException(key + ": `" + text + "' is no " + (family == Family.IPV4 ? "IPv4" : "IPv6")
                    + " address" + (family == Family.IPV4 && text.contains(":") ? " (give -6 for IPv6)" : ""));
        }
        return address;
    }

    /** The TTL (hop limit) of a packet that does not give one. */
    public static final int DEFAULT_TTL = 64;

    private int number(String key, int fallback, int max) throws TraceInputException {
        return (int) numberLong(key, fallback, 0, max);
    }

    private long numberLong(String key, long fallback, long max) throws TraceInputException {
        return numberLong(key, fallback, 0, max);
    }

    private long numberLong(String key, long fallback, long min, long max) throws TraceInputException {
        String text = values.get(key);
        if (text == null) {
            return fallback;
        }
        try {
            long n = Long.decode(text);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new TraceInputException(key + ": `" + text + "' is no number from " + min + " to " + max);
        }
    }

    private int protocol(String text) throws TraceInputException {
        return names.protocolNumber(text).orElseThrow(() -> new TraceInputException(
                "proto: unknown protocol `" + text + "' (e.g. tcp, udp, icmp, ipv6-icmp or a number)"));
    }

    /** A type, TYPE/CODE or a name, read as the icmp or icmp6 match reads it. */
    private static int[] icmpType(String text, Family family) throws TraceInputException {
        try {
            String canonical = icmpTypeCanonical(text, family);
            if (canonical.equals("any")) {
                throw new TraceInputException("icmp_type: a packet has one type, not `any'");
            }
            String[] parts = canonical.split("/");
            return new int[] {Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 0};
        } catch (InvalidValueException e) {
            throw new TraceInputException("icmp_type: " + e.getMessage());
        }
    }

    /** {@code TYPE}, {@code TYPE/CODE} or {@code any}: a type, TYPE/CODE or a name read as the icmp or icmp6 match reads it. */
    public static String icmpTypeCanonical(String text, Family family) throws InvalidValueException {
        String ext = family == Family.IPV4 ? "icmp" : "icmp6";
        OptionSpec option = StandardExtensions.registry().match(ext, family).flatMap((ExtensionSpec s) ->
                s.option(family == Family.IPV4 ? "icmp-type" : "icmpv6-type")).orElseThrow();
        return option.args().get(0).canonical(text, ValueContext.of(family, NameDatabase.builtin()));
    }
}
