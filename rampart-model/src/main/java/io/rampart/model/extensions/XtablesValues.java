package io.rampart.model.extensions;

import io.rampart.model.Family;
import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extension.Quoting;
import io.rampart.model.extension.Suggestions;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Argument types of the connection-tracking and metadata matches, read as xtables' option parser reads them. */
final class XtablesValues {

    private static final long U32_MAX = 0xffffffffL;

    private XtablesValues() {
    }

    /**
     * A protocol by number (any base, 0-255) or by exact name, printed as its number: how
     * {@code --ctproto} and {@code --vproto} are kept.
     */
    static final ValueType PROTOCOL_NUMBER = Values.of("protocol", "name|number",
            (raw, ctx) -> Integer.toString(protocolNumber(raw)));

    /** A protocol by number or exact name, printed by its name as iptables-save knows it. */
    static final ValueType PROTOCOL_NAME = Values.of("protocol", "name|number",
            (raw, ctx) -> NameDatabase.system().protocolName(protocolNumber(raw)));

    static int protocolNumber(String raw) throws InvalidValueException {
        try {
            return (int) Values.parseUnsigned(raw, 0, 255);
        } catch (InvalidValueException notANumber) {
            // getprotobyname(3) comes next, and it is case-sensitive.
        }
        return NameDatabase.system().protocolNumberOfExactName(raw).orElseThrow(() -> new InvalidValueException(
                "unknown protocol `" + raw + "' specified" + (raw.equals(raw.toLowerCase(Locale.ROOT)) ? ""
                        : " (names are case-sensitive here: try " + raw.toLowerCase(Locale.ROOT) + ")")));
    }

    /**
     * {@code address[/mask]} as the kernel keeps it for conntrack, policy and ipvs: the address is
     * not masked, a full or non-contiguous mask is not printed, any other mask as a prefix length.
     */
    static final ValueType HOST_MASK = Values.of("host-mask", "address[/mask]", XtablesValues::hostMask);

    private static String hostMask(String raw, ValueContext context)
            throws InvalidValueException {
        Family family = context.family();
        int slash = raw.indexOf('/');
        String host = slash < 0 ? raw : raw.substring(0, slash);
        byte[] address = Addresses.resolve(host, family).get(0);
        if (slash < 0) {
            return Addresses.format(address);
        }
        int prefix = Addresses.prefixLength(mask(raw.substring(slash + 1), family, raw));
        boolean printed = prefix >= 0 && prefix < family.addressBits();
        return Addresses.format(address) + (printed ? "/" + prefix : "");
    }

    private static byte[] mask(String text, Family family, String whole) throws InvalidValueException {
        int bytes = family.addressBits() / 8;
        boolean digits = !text.isEmpty() && text.chars().allMatch(Character::isDigit) && text.length() <= 10;
        if (digits && Long.parseLong(text) <= family.addressBits()) {
            return Addresses.maskOf(Integer.parseInt(text), bytes);
        }
        if (digits && family == Family.IPV4 && Long.parseLong(text) <= U32_MAX) {
            // Too long for a prefix: the resolver reads a lone number as a whole IPv4 address.
            long value = Long.parseLong(text);
            return new byte[] {(byte) (value >> 24), (byte) (value >> 16), (byte) (value >> 8), (byte) value};
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
        return new byte[] {(byte) (value >> 24), (byte) (value >> 16), (byte) (value >> 8), (byte) value};
    }

    /**
     * A port or range {@code first[:last]} as conntrack reads it: decimal (kept modulo 65536, as the
     * kernel's 16-bit field does) or service names; a missing end is 0 or 65535; reversed is kept;
     * printed as one port when both ends agree or the last is 0.
     */
    static final ValueType WRAPPING_PORT_RANGE = Values.of("port-range", "port[:port]", (raw, ctx) -> {
        int colon = raw.indexOf(':');
        if (colon < 0) {
            return Integer.toString(wrappingPort(raw, ctx));
        }
        if (raw.indexOf(':', colon + 1) >= 0) {
            throw new InvalidValueException("`" + raw + "' has too many parts: write port or port:port");
        }
        String from = raw.substring(0, colon);
        String to = raw.substring(colon + 1);
        int low = from.isEmpty() ? 0 : wrappingPort(from, ctx);
        int high = to.isEmpty() ? 65535 : wrappingPort(to, ctx);
        return low == high || high == 0 ? Integer.toString(low) : low + ":" + high;
    });

    private static int wrappingPort(String raw, ValueContext context)
            throws InvalidValueException {
        if (!raw.isEmpty() && raw.length() <= 19 && raw.chars().allMatch(Character::isDigit)) {
            long value = Long.parseLong(raw);
            if ((value & U32_MAX) != U32_MAX) {
                return (int) (value & 0xffff);
            }
        }
        return Integer.parseInt(Values.PORT.canonical(raw, context));
    }

    /** A number or inclusive range {@code low[:high]} of unsigned 32-bit values in any base; reversed is kept. */
    static final ValueType U32_RANGE = Values.of("range", "value[:value]", (raw, ctx) -> {
        String[] parts = raw.split(":", -1);
        if (parts.length > 2) {
            throw new InvalidValueException("`" + raw + "' has too many parts: write value or value:value");
        }
        long low = parts[0].isEmpty() && parts.length == 2 ? 0 : Values.parseUnsigned(parts[0], 0, U32_MAX);
        long high = parts.length == 1 ? low : parts[1].isEmpty() ? U32_MAX : Values.parseUnsigned(parts[1], 0, U32_MAX);
        return low == high ? Long.toString(low) : low + ":" + high;
    });

    /** An unsigned 32-bit number in any base, printed in decimal. */
    static final ValueType U32 = Values.decimal(0, U32_MAX);

    /** Text cut to {@code maxBytes} bytes as the kernel's fixed-size field keeps it, quoted when needed. */
    static ValueType truncatedText(int maxBytes) {
        return Values.quoted("string", "text", Quoting.WHEN_NEEDED, (raw, ctx) -> {
            byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
            if (bytes.length <= maxBytes) {
                return raw;
            }
            int cut = maxBytes;
            while (cut > 0 && (bytes[cut] & 0xc0) == 0x80) {
                cut--;
            }
            return new String(bytes, 0, cut, StandardCharsets.UTF_8);
        });
    }

    /**
     * A comma-separated list of flag words, each possibly abbreviated and in any case (iptables
     * compares with strncasecmp, trying the words in {@code parseOrder}); printed in
     * {@code printOrder}. {@code emptyWord}, when not null, is a word that sets no bit and is
     * printed only alone.
     */
    static ValueType abbreviatedWordSet(String name, List<String> parseOrder, List<String> printOrder,
                                        String emptyWord) {
        return Values.of(name, String.join(",", printOrder) + "[,...]", (raw, ctx) -> {
            boolean[] seen = new boolean[printOrder.size()];
            for (String part : raw.split(",", -1)) {
                String word = matchAbbreviation(part, parseOrder);
                if (word == null) {
                    List<String> all = new ArrayList<>(printOrder);
                    if (emptyWord != null) {
                        all.add(emptyWord);
                    }
                    throw new InvalidValueException("bad " + name + " `" + part + "': use " + String.join(", ", all)
                            + Suggestions.didYouMean(part, all));
                }
                if (!word.equals(emptyWord)) {
                    seen[printOrder.indexOf(word)] = true;
                }
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < seen.length; i++) {
                if (seen[i]) {
                    out.add(printOrder.get(i));
                }
            }
            return out.isEmpty() ? emptyWord : String.join(",", out);
        });
    }

    private static String matchAbbreviation(String part, List<String> words) {
        if (part.isEmpty()) {
            return null;
        }
        String upper = part.toUpperCase(Locale.ROOT);
        for (String word : words) {
            if (word.startsWith(upper)) {
                return word;
            }
        }
        return null;
    }

    /** One of the given words in any case, printed in upper case. */
    static ValueType upperCaseChoice(String name, String... words) {
        return Values.of(name, String.join("|", words), (raw, ctx) -> {
            String upper = raw.toUpperCase(Locale.ROOT);
            if (!List.of(words).contains(upper)) {
                throw new InvalidValueException("`" + raw + "' is not one of " + String.join(", ", words)
                        + Suggestions.didYouMean(raw, List.of(words)));
            }
            return upper;
        });
    }

    /** {@code value[/mask]} of 32 bits, any base; a full mask is not printed ({@code 0xV} or {@code 0xV/0xM}). */
    static final ValueType MARK_MASK = Values.of("value-mask", "value[/mask]", (raw, ctx) -> {
        int slash = raw.indexOf('/');
        long value = Values.parseUnsigned(slash < 0 ? raw : raw.substring(0, slash), 0, U32_MAX);
        long mask = slash < 0 ? U32_MAX : Values.parseUnsigned(raw.substring(slash + 1), 0, U32_MAX);
        return "0x" + Long.toHexString(value) + (mask == U32_MAX ? "" : "/0x" + Long.toHexString(mask));
    });
}
