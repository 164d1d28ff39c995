package io.rampart.model.extensions;

import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.Option;
import io.rampart.model.Table;
import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.TargetSemantics;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import io.rampart.model.value.Network;
import java.util.List;
import java.util.OptionalLong;

/**
 * IPv6-to-IPv6 network prefix translation (RFC 6296): SNPT rewrites the source prefix of packets
 * leaving, DNPT the destination prefix of packets arriving. Stateless, so both directions need a rule.
 */
final class PrefixTranslationTargets {

    private PrefixTranslationTargets() {
    }

    /** The kernel translates prefixes of up to 64 bits, in which the rest of the address is zero. */
    private static final int MAX_PREFIX = 64;

    /**
     * {@code address/length} as xtables' host-mask type reads it (the length in any C base, or an
     * address-shaped mask), checked as the kernel checks a prefix.
     */
    private static final ValueType PREFIX = Values.typed("ipv6-prefix", "address/length (length 0-64)", (raw, ctx) -> {
        int slash = raw.indexOf('/');
        byte[] address = Addresses.resolve(slash < 0 ? raw : raw.substring(0, slash), Family.IPV6, ctx.names()).get(0);
        int length = slash < 0 ? Family.IPV6.addressBits() : prefixLength(raw.substring(slash + 1), raw);
        if (length < 0 || length > MAX_PREFIX) {
            throw new InvalidValueException("prefix `" + raw + "': the kernel translates prefixes of 0 to "
                    + MAX_PREFIX + " bits");
        }
        if (!Addresses.format(Addresses.and(address, Addresses.maskOf(length, address.length)))
                .equals(Addresses.format(address))) {
            throw new InvalidValueException("prefix `" + raw + "' has bits set after its first " + length
                    + ": write the network, e.g. " + Addresses.format(Addresses.and(address,
                    Addresses.maskOf(length, address.length))) + "/" + length);
        }
        return Addresses.format(address) + "/" + length;
    }, canonical -> Addresses.network(canonical, true));

    /** What iptables-save leaves out: a prefix that is the whole address space. */
    private static final String ANY = "::/0";

    private static int prefixLength(String text, String whole) throws InvalidValueException {
        OptionalLong number = CNumbers.xtablesWhole(text, 0, Family.IPV6.addressBits());
        if (number.isPresent()) {
            return (int) number.getAsLong();
        }
        return Addresses.prefixLength(TupleValues.addressMask(text, Family.IPV6, whole));
    }

    static List<ExtensionSpec> specs() {
        return List.of(
                npt("SNPT", "rewrite the source prefix of the packet", "the prefix packets leave with",
                        "the prefix they get")
                        .atHooks(Hook.INPUT, Hook.POSTROUTING),
                npt("DNPT", "rewrite the destination prefix of the packet", "the prefix packets arrive for",
                        "the prefix they are sent on to")
                        .atHooks(Hook.PREROUTING, Hook.OUTPUT));
    }

    private static ExtensionSpec npt(String name, String help, String from, String to) {
        return ExtensionSpec.target(name, help + " (stateless IPv6 prefix translation)",
                        OptionSpec.of("src-pfx", from, PREFIX).required(),
                        OptionSpec.of("dst-pfx", to, PREFIX).required())
                .onlyFor(Family.IPV6)
                .inTables(Table.MANGLE)
                .does(options -> new TargetSemantics.PrefixTranslation(name.equals("SNPT"), prefix(options, "src-pfx"),
                        prefix(options, "dst-pfx")))
                .canonicalizedBy((options, context) -> options.stream()
                        .filter(option -> !option.arg().equals(ANY)).toList());
    }

    private static Network prefix(List<Option> canonical, String name) {
        Network given = Checks.value(canonical, name, Network.class);
        return given != null ? given : Addresses.network(ANY, true);
    }
}
