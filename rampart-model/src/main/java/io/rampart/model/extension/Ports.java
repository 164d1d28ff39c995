package io.rampart.model.extension;

import io.rampart.model.value.Range;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Ports as iptables reads them. It has two readers: xtables_parse_port, which extensions with
 * their own parser use (a number in any base, else a service of one protocol), and
 * xtables_getportbyname, behind the generic option parser (getaddrinfo: decimal modulo 65536,
 * else a service name).
 */
public final class Ports {

    private static final int MAX_PORT = 65535;

    private Ports() {
    }

    /** How one port of a range is read. */
    @FunctionalInterface
    private interface Reader {
        int read(String raw, ValueContext context) throws InvalidValueException;
    }

    /** xtables_parse_port: a number as xtables reads it, else a service of {@code protocol}. */
    public static int parsePort(String raw, String protocol, HostNames names) throws InvalidValueException {
        OptionalLong number = CNumbers.xtablesWhole(raw, 0, MAX_PORT);
        if (number.isPresent()) {
            return (int) number.getAsLong();
        }
        return names.servicePort(raw, protocol).orElseThrow(() -> new InvalidValueException(
                "invalid port/service `" + raw + "' specified (no " + protocol + " service of that name)"));
    }

    /** xtables_getportbyname: a numeric service, else a service name of the rule's protocol or tcp. */
    public static int portByName(String raw, ValueContext context) throws InvalidValueException {
        OptionalInt number = CNumbers.numericService(raw);
        if (number.isPresent()) {
            return number.getAsInt();
        }
        String protocol = context.protocolIfAny().orElse("tcp");
        return context.names().servicePort(raw, protocol)
                .or(() -> context.names().servicePort(raw, "tcp"))
                .orElseThrow(() -> new InvalidValueException("invalid port/service `" + raw + "' specified"));
    }

    /** A port as the generic option parser reads it (xtables_getportbyname), printed in decimal. */
    public static final ValueType PORT = Values.of("port", "port",
            (raw, ctx) -> Integer.toString(portByName(raw, ctx)));

    /**
     * {@code first[:last]}, either end optional (0 and 65535), printed as one port when both ends
     * agree. A reversed range is refused unless {@code reversedAllowed} (it then matches nothing).
     */
    private static ValueType range(Reader reader, boolean reversedAllowed) {
        return Values.typed("port-range", "port[:port]", (raw, ctx) -> {
            int colon = raw.indexOf(':');
            if (colon < 0) {
                return Integer.toString(reader.read(raw, ctx));
            }
            String from = raw.substring(0, colon);
            String to = raw.substring(colon + 1);
            int low = from.isEmpty() ? 0 : reader.read(from, ctx);
            int high = to.isEmpty() ? MAX_PORT : reader.read(to, ctx);
            if (low > high && !reversedAllowed) {
                throw new InvalidValueException("invalid port range `" + raw + "' (min > max)");
            }
            return new Range(low, high).text();
        }, Range::parse);
    }

    /** A range of generic-parser ports, kept reversed: udp's. */
    public static final ValueType PORT_BY_NAME_RANGE = range(Ports::portByName, true);

    /** A range of xtables_parse_port ports of {@code protocol}, not reversed: tcp's and sctp's. */
    public static ValueType parsedRange(String protocol) {
        return range((raw, ctx) -> parsePort(raw, protocol, ctx.names()), false);
    }
}
