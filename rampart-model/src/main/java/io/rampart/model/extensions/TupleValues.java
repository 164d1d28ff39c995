package io.rampart.model.extensions;

import io.rampart.model.Family;
import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.Ports;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import io.rampart.model.value.NumberValue;
import io.rampart.model.value.Range;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The parts of a connection as the conntrack, ipvs and policy matches keep them: protocols by
 * number, addresses with masks, and ports in the kernel's 16-bit fields.
 */
final class TupleValues {

    private TupleValues() {
    }

    /** A protocol by number (0-255, as xtables reads numbers) or by exact name, printed as its number. */
    static final ValueType PROTOCOL_NUMBER = Values.typed("protocol", "name|number",
            (raw, ctx) -> Integer.toString(protocolNumber(raw, ctx.names())), NumberValue::parse);

    /** A protocol by number or exact name, printed by its name as iptables-save knows it. */
    static final ValueType PROTOCOL_NAME = Values.of("protocol", "name|number",
            (raw, ctx) -> ctx.names().protocolName(protocolNumber(raw, ctx.names())));

    private static int protocolNumber(String raw, HostNames names) throws InvalidValueException {
        OptionalLong number = CNumbers.xtablesWhole(raw, 0, 255);
        if (number.isPresent()) {
            return (int) number.getAsLong();
        }
        // getprotobyname(3) comes next, and it is case-sensitive.
        return names.protocolNumberOfExactName(raw).orElseThrow(() -> new InvalidValueException(
                "unknown protocol `" + raw + "' specified" + (raw.equals(raw.toLowerCase(Locale.ROOT)) ? ""
                        : " (names are case-sensitive here: try " + raw.toLowerCase(Locale.ROOT) + ")")));
    }

    /**
     * {@code address[/mask]} as the kernel keeps it for conntrack, policy and ipvs: the address is
     * not masked, a full or non-contiguous mask is not printed, any other mask as a prefix length.
     */
    static final ValueType HOST_MASK = Values.typed("host-mask", "address[/mask]", TupleValues::hostMask,
            canonical -> Addresses.network(canonical, false));

    private static String hostMask(String raw, ValueContext context) throws InvalidValueException {
        Family family = context.family();
        int slash = raw.indexOf('/');
        String host = slash < 0 ? raw : raw.substring(0, slash);
        byte[] address = Addresses.resolve(host, family, context.names()).get(0);
        if (slash < 0) {
            return Addresses.format(address);
        }
        int prefix = Addresses.prefixLength(addressMask(raw.substring(slash + 1), family, raw));
        boolean printed = prefix >= 0 && prefix < family.addressBits();
        return Addresses.format(address) + (printed ? "/" + prefix : "");
    }

    static byte[] addressMask(String text, Family family, String whole) throws InvalidValueException {
        int bytes = family.addressBits() / 8;
        boolean digits = !text.isEmpty() && text.chars().allMatch(Character::isDigit) && text.length() <= 10;
        if (digits && Long.parseLong(text) <= family.addressBits()) {
            return Addresses.maskOf(Integer.parseInt(text), bytes);
        }
        if (digits && family == Family.IPV4 && Long.parseLong(text) <= Marks.ALL) {
            // Too long for a prefix: the resolver reads a lone number as a whole IPv4 address.
            return Addresses.ipv4OfNumber(Long.parseLong(text));
        }
        byte[] literal = family == Family.IPV4 ? ipv4Shorthand(text) : Addresses.parseLiteral(text, family);
        if (literal == null) {
            throw new InvalidValueException("`" + whole + "': mask `" + text + "' is neither a prefix length (0-"
                    + family.addressBits() + ") nor an address-shaped mask");
        }
        return literal;
    }

    /** inet_aton's forms {@code a.b}, {@code a.b.c} and {@code a.b.c.d}: the last part fills the rest. */
    private static byte[] ipv4Shorthand(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length < 2 || parts.length > 4) {
            return null;
        }
        long value = 0;
        for (int i = 0; i < parts.length; i++) {
            boolean last = i == parts.length - 1;
            long limit = last ? (1L << (8 * (5 - parts.length))) - 1 : 255;
            if (parts[i].isEmpty() || parts[i].length() > 10 || !parts[i].chars().allMatch(Character::isDigit)
                    || Long.parseLong(parts[i]) > limit) {
                return null;
            }
            value = last ? (value << (8 * (5 - parts.length))) | Long.parseLong(parts[i])
                    : (value << 8) | Long.parseLong(parts[i]);
        }
        return Addresses.ipv4OfNumber(value);
    }

    /**
     * A port or range {@code first[:last]} as conntrack reads it (the generic parser's ports); a
     * missing end is 0 or 65535; reversed is kept; printed as one port when both ends agree or
     * the last is 0.
     */
    static final ValueType PORT_RANGE = Values.typed("port-range", "port[:port]", (raw, ctx) -> {
        int colon = raw.indexOf(':');
        if (colon < 0) {
            return Integer.toString(Ports.portByName(raw, ctx));
        }
        if (raw.indexOf(':', colon + 1) >= 0) {
            throw new InvalidValueException("`" + raw + "' has too many parts: write port or port:port");
        }
        String from = raw.substring(0, colon);
        String to = raw.substring(colon + 1);
        int low = from.isEmpty() ? 0 : Ports.portByName(from, ctx);
        int high = to.isEmpty() ? 65535 : Ports.portByName(to, ctx);
        return low == high || high == 0 ? Integer.toString(low) : low + ":" + high;
    }, Range::parse);
}
