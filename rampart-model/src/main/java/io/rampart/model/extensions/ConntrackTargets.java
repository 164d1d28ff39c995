package io.rampart.model.extensions;

import static io.rampart.model.extensions.Checks.find;

import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.Option;
import io.rampart.model.Table;
import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.Canonicalizer;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.Ports;
import io.rampart.model.extension.TargetSemantics;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import io.rampart.model.extension.Words;
import io.rampart.model.extensions.Marks.ValueMask;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Targets that steer connection tracking (CT, NOTRACK), hand packets to a local socket (TPROXY) or
 * answer a connection's handshake for the server behind (SYNPROXY).
 */
final class ConntrackTargets {

    private ConntrackTargets() {
    }

    /** Connection events CT can report, in the order iptables-save prints them. */
    private static final List<String> CT_EVENTS = List.of("new", "related", "destroy", "reply", "assured",
            "protoinfo", "helper", "mark", "natseqinfo", "secmark");

    /** A zone number 0-65535 or {@code mark} (the zone is taken from the packet mark). */
    private static final ValueType ZONE = Values.of("zone", "0..65535|mark", (raw, ctx) -> {
        if (raw.equalsIgnoreCase("mark")) {
            return "mark";
        }
        return Long.toString(CNumbers.xtables(raw, 0, 65535));
    });

    /** One address of the family (a host name must resolve to exactly one). */
    static final ValueType HOST = Values.of("address", "address", (raw, ctx) -> {
        List<byte[]> found = Addresses.resolve(raw, ctx.family(), ctx.names());
        List<String> distinct = found.stream().map(Addresses::format).distinct().toList();
        if (distinct.size() > 1) {
            throw new InvalidValueException("`" + raw + "' resolves to more than one address: "
                    + String.join(", ", distinct));
        }
        return distinct.get(0);
    });

    /** A helper or policy name, which iptables-save prints as it is, without quotes. */
    private static ValueType name(int maxLength) {
        return Values.of("name", "name", (raw, ctx) -> {
            if (raw.isEmpty() || raw.length() > maxLength) {
                throw new InvalidValueException("`" + raw + "' must be 1 to " + maxLength + " characters long");
            }
            return raw;
        });
    }

    static List<ExtensionSpec> specs() {
        return List.of(ct(), notrack(), tproxy(), synproxy());
    }

    private static ExtensionSpec ct() {
        return ExtensionSpec.target("CT", "set up connection tracking for the packet's connection",
                        OptionSpec.flag("notrack", "do not track the connection"),
                        OptionSpec.of("helper", "attach this conntrack helper, e.g. ftp (needs -p)", name(15)),
                        OptionSpec.of("timeout", "apply this timeout policy (made with nfct)", name(31)),
                        OptionSpec.of("ctevents", "report only these connection events",
                                Words.wordSet("ctevents", CT_EVENTS, Map.of(), word -> word)),
                        OptionSpec.of("expevents", "report only these expectation events",
                                Words.wordSet("expevents", List.of("new"), Map.of(), word -> word)),
                        OptionSpec.of("zone-orig", "conntrack zone for the original direction", ZONE),
                        OptionSpec.of("zone-reply", "conntrack zone for the reply direction", ZONE),
                        OptionSpec.of("zone", "conntrack zone for both directions", ZONE))
                .inTables(Table.RAW)
                .does(options -> Checks.has(options, "notrack") ? new TargetSemantics.NoTrack()
                        : new TargetSemantics.Continues("the connection's helper, zone, timeouts or events"))
                .canonicalizedBy(Canonicalizer.inGivenOrder(ConntrackTargets::ctCanonical));
    }

    /**
     * The zone options add up: each names its direction(s) and {@code mark} sticks once given,
     * but only the last zone number counts, and zone 0 without {@code mark} is not kept.
     */
    private static List<Option> ctCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        // With --notrack the kernel sets nothing up, so it does not look the helper up either.
        if (find(options, "helper").isPresent() && find(options, "notrack").isEmpty()
                && context.exactProtocol().isEmpty()) {
            throw new InvalidValueException("CT --helper needs -p PROTOCOL (without `!') before it: a helper serves"
                    + " one protocol");
        }
        boolean original = false;
        boolean reply = false;
        boolean mark = false;
        int zone = 0;
        for (Option option : options) {
            if (!option.name().startsWith("zone")) {
                continue;
            }
            original |= option.name().equals("zone-orig");
            reply |= option.name().equals("zone-reply");
            if (option.arg().equals("mark")) {
                mark = true;
                zone = 0;
            } else {
                zone = Integer.parseInt(option.arg());
            }
        }
        List<Option> out = new ArrayList<>();
        for (String name : List.of("notrack", "helper", "timeout", "ctevents", "expevents")) {
            find(options, name).ifPresent(out::add);
        }
        if (mark || zone != 0) {
            String zoneOption = original == reply ? "zone" : original ? "zone-orig" : "zone-reply";
            out.add(Option.of(zoneOption, mark ? "mark" : Integer.toString(zone)));
        }
        return out;
    }

    private static ExtensionSpec notrack() {
        return ExtensionSpec.target("NOTRACK", "do not track the packet's connection (the same as CT --notrack)")
                .inTables(Table.RAW)
                .does(new TargetSemantics.NoTrack());
    }

    private static ExtensionSpec tproxy() {
        return ExtensionSpec.target("TPROXY", "deliver the packet to a local socket without changing its addresses",
                        OptionSpec.of("on-port", "local port to deliver to (0: the packet's destination port)",
                                Ports.PORT).required(),
                        OptionSpec.of("on-ip", "local address to deliver to (default: the packet's destination)",
                                HOST),
                        OptionSpec.of("tproxy-mark", "set these bits of the packet mark", Marks.TARGET_VALUE_MASK))
                .inTables(Table.MANGLE)
                .atHooks(Hook.PREROUTING)
                .does(new TargetSemantics.NotModelled("it accepts the packet for a local socket that takes it and"
                        + " drops it when none does: the tracer does not know the host's sockets", true))
                .canonicalizedBy((options, context) -> {
                    Checks.requireProtocol(context, "TPROXY", "tcp", "udp");
                    String any = context.family() == Family.IPV4 ? "0.0.0.0" : "::";
                    String mark = find(options, "tproxy-mark").map(o -> ValueMask.parse(o.arg()).format())
                            .orElse("0x0/0x0");
                    return List.of(find(options, "on-port").orElseThrow(),
                            find(options, "on-ip").orElse(Option.of("on-ip", any)),
                            Option.of("tproxy-mark", mark));
                });
    }

    /** A 32-bit number as xtables reads it, kept in a field of {@code bits} bits (SYNPROXY's u8 and u16). */
    private static ValueType cutTo(int bits) {
        return Values.of("integer", "0.." + CNumbers.UINT32_MAX + " (kept modulo 2^" + bits + ")",
                (raw, ctx) -> Long.toString(CNumbers.xtables(raw, 0, CNumbers.UINT32_MAX) & ((1L << bits) - 1)));
    }

    private static ExtensionSpec synproxy() {
        return ExtensionSpec.target("SYNPROXY", "answer TCP handshakes itself and open the connection to the server"
                                + " only once the client completed one (needs -p tcp)",
                        OptionSpec.flag("sack-perm", "offer selective acknowledgements"),
                        OptionSpec.flag("timestamp", "offer TCP timestamps"),
                        OptionSpec.of("wscale", "window scale to offer (kept in 8 bits)", cutTo(8)),
                        OptionSpec.of("mss", "maximum segment size to offer (kept in 16 bits)", cutTo(16)),
                        OptionSpec.flag("ecn", "offer explicit congestion notification"))
                .atHooks(Hook.INPUT, Hook.FORWARD)
                .does(new TargetSemantics.Synproxy())
                .canonicalizedBy(Checks.needsProtocol("SYNPROXY", "tcp"));
    }
}
