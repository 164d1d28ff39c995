package io.rampart.model.extensions;

import io.rampart.model.Family;
import io.rampart.model.Option;
import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.Canonicalizer;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.TargetSemantics;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import io.rampart.model.value.NumberValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * HMARK: the packet mark set from a hash of chosen header fields, {@code offset + hash % mod}.
 * {@code --hmark-tuple} is a shorthand the kernel does not keep: each of its words stands for the
 * full mask of one field, and iptables-save prints those masks instead.
 */
final class HmarkTarget {

    private HmarkTarget() {
    }

    /** The words of --hmark-tuple, in the order iptables tries a prefix of one against them. */
    private static final List<String> TUPLE_WORDS = List.of("ct", "src", "dst", "sport", "dport", "proto", "spi");

    /** The option each tuple word stands for (ct stands for itself). */
    private static final Map<String, String> TUPLE_OPTIONS = Map.of("src", "hmark-src-prefix",
            "dst", "hmark-dst-prefix", "sport", "hmark-sport-mask", "dport", "hmark-dport-mask",
            "proto", "hmark-proto-mask", "spi", "hmark-spi-mask");

    /**
     * A prefix length or an address-shaped mask, as xtables' plen-mask type reads it: a mask that
     * is not contiguous leaves every bit set, and an IPv4 rule keeps only the first 32 bits of a
     * longer prefix.
     */
    private static final ValueType PREFIX = Values.typed("prefix", "length|mask", (raw, ctx) -> {
        int bits = ctx.family().addressBits();
        OptionalLong length = CNumbers.xtablesWhole(raw, 0, bits);
        if (length.isPresent()) {
            return Long.toString(length.getAsLong());
        }
        int prefix = Addresses.prefixLength(TupleValues.addressMask(raw, ctx.family(), raw));
        return Integer.toString(prefix < 0 ? bits : prefix);
    }, NumberValue::parse);

    private static ValueType hex(int digits, long max) {
        return Values.typed("integer", "0.." + max, (raw, ctx) ->
                String.format("0x%0" + digits + "x", CNumbers.xtables(raw, 0, max)), NumberValue::parse);
    }

    private static final ValueType U16 = hex(4, 0xffff);
    private static final ValueType U32 = hex(8, CNumbers.UINT32_MAX);

    static ExtensionSpec spec() {
        return ExtensionSpec.target("HMARK", "set the packet mark to offset + hash(chosen fields) % mod",
                        OptionSpec.of("hmark-src-prefix", "hash this many leading bits of the source address",
                                PREFIX),
                        OptionSpec.of("hmark-dst-prefix", "hash this many leading bits of the destination address",
                                PREFIX),
                        OptionSpec.of("hmark-sport-mask", "hash the source port and-ed with this", U16),
                        OptionSpec.of("hmark-dport-mask", "hash the destination port and-ed with this", U16),
                        OptionSpec.of("hmark-spi-mask", "for esp and ah: hash the SPI and-ed with this", U32),
                        OptionSpec.of("hmark-sport", "or this into the source port before hashing", U16),
                        OptionSpec.of("hmark-dport", "or this into the destination port before hashing", U16),
                        OptionSpec.of("hmark-spi", "for esp and ah: or this into the SPI before hashing", U32),
                        OptionSpec.of("hmark-proto-mask", "hash the protocol number and-ed with this",
                                hex(2, 0xffff)),
                        OptionSpec.of("hmark-rnd", "the hash's random seed (required)", U32),
                        OptionSpec.of("hmark-mod", "the modulus (required, 1 or more)",
                                Values.decimal(1, CNumbers.UINT32_MAX)),
                        OptionSpec.of("hmark-offset", "added to the hash modulo mod", Values.decimal(0,
                                CNumbers.UINT32_MAX)),
                        OptionSpec.of("hmark-tuple", "shorthand for full masks: src,dst,sport,dport,spi,proto,"
                                + "and ct (hash the connection's original tuple)", Values.of("tuple",
                                "src|dst|sport|dport|spi|proto|ct[,...]", (raw, ctx) -> raw)))
                .does(HmarkTarget::semantics)
                .canonicalizedBy(Canonicalizer.inGivenOrder(HmarkTarget::canonical));
    }

    /** The hash's parameters; a field left out is not hashed (mask 0). */
    private static TargetSemantics semantics(List<Option> canonical) {
        long portMask = Checks.has(canonical, "hmark-spi-mask") ? Checks.number(canonical, "hmark-spi-mask", 0)
                : Checks.number(canonical, "hmark-sport-mask", 0) << 16 | Checks.number(canonical, "hmark-dport-mask", 0);
        long portSet = Checks.has(canonical, "hmark-spi") ? Checks.number(canonical, "hmark-spi", 0)
                : Checks.number(canonical, "hmark-sport", 0) << 16 | Checks.number(canonical, "hmark-dport", 0);
        return new TargetSemantics.HashMark((int) Checks.number(canonical, "hmark-src-prefix", 0),
                (int) Checks.number(canonical, "hmark-dst-prefix", 0), portMask, portSet,
                (int) Checks.number(canonical, "hmark-proto-mask", 0), (int) Checks.number(canonical, "hmark-rnd", 0),
                Checks.number(canonical, "hmark-mod", 0), Checks.number(canonical, "hmark-offset", 0),
                Checks.has(canonical, "hmark-tuple"));
    }

    /**
     * Replays the options as iptables does: a tuple word sets its field's full mask and counts as
     * that option given, so the option may not follow (it may come before: the word overwrites it).
     */
    private static List<Option> canonical(List<Option> options, ValueContext context) throws InvalidValueException {
        Map<String, String> set = new LinkedHashMap<>();
        boolean ct = false;
        for (Option option : options) {
            if (!option.name().equals("hmark-tuple")) {
                if (set.containsKey(option.name())) {
                    throw new InvalidValueException("HMARK: " + OptionSpec.spell(option.name())
                            + " can only be given once (--hmark-tuple before it counts)");
                }
                set.put(option.name(), option.arg());
                continue;
            }
            for (String word : tupleWords(option.arg())) {
                if (word.equals("ct")) {
                    ct = true;
                } else {
                    String field = TUPLE_OPTIONS.get(word);
                    set.put(field, fullMask(field, context.family()));
                }
            }
        }
        if (!set.containsKey("hmark-mod")) {
            throw new InvalidValueException("HMARK needs --hmark-mod");
        }
        if (!set.containsKey("hmark-rnd")) {
            throw new InvalidValueException("HMARK needs --hmark-rnd");
        }
        if (set.containsKey("hmark-spi-mask") && (set.containsKey("hmark-sport-mask")
                || set.containsKey("hmark-dport-mask"))) {
            throw new InvalidValueException("HMARK: --hmark-spi-mask cannot be combined with --hmark-sport-mask or"
                    + " --hmark-dport-mask (nor the tuple's spi with sport or dport)");
        }
        if (set.containsKey("hmark-spi") && (set.containsKey("hmark-sport") || set.containsKey("hmark-dport"))) {
            throw new InvalidValueException("HMARK: --hmark-spi cannot be combined with --hmark-sport or --hmark-dport");
        }
        List<String> fields = List.of("hmark-src-prefix", "hmark-dst-prefix", "hmark-sport-mask",
                "hmark-dport-mask", "hmark-spi-mask", "hmark-sport", "hmark-dport", "hmark-spi", "hmark-proto-mask");
        if (!ct && fields.stream().noneMatch(set::containsKey)) {
            throw new InvalidValueException("HMARK needs --hmark-tuple or a field to hash (--hmark-src-prefix, ...)");
        }
        List<Option> out = new ArrayList<>();
        for (String name : List.of("hmark-src-prefix", "hmark-dst-prefix", "hmark-sport-mask", "hmark-dport-mask",
                "hmark-spi-mask", "hmark-sport", "hmark-dport", "hmark-spi", "hmark-proto-mask", "hmark-rnd",
                "hmark-mod", "hmark-offset")) {
            if (set.containsKey(name)) {
                out.add(Option.of(name, set.get(name)));
            }
        }
        if (ct) {
            out.add(Option.of("hmark-tuple", "ct"));
        }
        return out;
    }

    private static String fullMask(String field, Family family) {
        return switch (field) {
            case "hmark-src-prefix", "hmark-dst-prefix" -> Integer.toString(family.addressBits());
            case "hmark-spi-mask" -> "0xffffffff";
            default -> "0xffff";
        };
    }

    /** The words of a tuple list: each may be any leading part of a word, case ignored, tried in order. */
    private static List<String> tupleWords(String raw) throws InvalidValueException {
        if (raw.isEmpty() || raw.endsWith(",")) {
            throw new InvalidValueException("--hmark-tuple needs a list of fields without spaces, e.g."
                    + " src,dst,sport,dport,proto");
        }
        List<String> words = new ArrayList<>();
        for (String part : raw.split(",", -1)) {
            String lower = part.toLowerCase(Locale.ROOT);
            String word = part.isEmpty() ? null
                    : TUPLE_WORDS.stream().filter(w -> w.startsWith(lower)).findFirst().orElse(null);
            if (word == null) {
                throw new InvalidValueException("bad --hmark-tuple field `" + part + "': one of "
                        + String.join(", ", TUPLE_WORDS));
            }
            words.add(word);
        }
        return words;
    }
}
