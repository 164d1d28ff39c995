package io.rampart.model.extensions;

import io.rampart.model.Hook;
import io.rampart.model.Option;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.MatchSemantics;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.PacketField;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Matches on the link layer and the devices a packet passes: mac, physdev, devgroup. */
final class InterfaceMatches {

    private InterfaceMatches() {
    }

    static List<ExtensionSpec> specs() {
        return List.of(mac(), physdev(), devgroup());
    }

    /** Six colon-separated hex bytes of one or two digits, printed as lower-case pairs. */
    private static final ValueType MAC = Values.of("mac", "XX:XX:XX:XX:XX:XX", (raw, ctx) -> {
        String[] parts = raw.split(":", -1);
        boolean valid = parts.length == 6;
        List<String> out = new ArrayList<>();
        for (String part : parts) {
            valid &= part.length() >= 1 && part.length() <= 2 && part.chars().allMatch(c -> Character.digit(c, 16) >= 0);
            out.add(valid ? String.format("%02x", Integer.parseInt(part, 16)) : "");
        }
        if (!valid) {
            throw new InvalidValueException("`" + raw + "' is not a MAC address: write six hex bytes like"
                    + " 00:11:22:aa:bb:cc");
        }
        return String.join(":", out).toLowerCase(Locale.ROOT);
    });

    private static ExtensionSpec mac() {
        return ExtensionSpec.match("mac", "source MAC address of the Ethernet frame",
                        OptionSpec.of("mac-source", "source MAC address", MAC).invertible().required())
                .atHooks(Hook.PREROUTING, Hook.INPUT, Hook.FORWARD);
    }

    /** A bridge port name; iptables also takes an empty one, and prints it empty. */
    private static final ValueType BRIDGE_PORT = Values.of("interface", "name[+]", (raw, ctx) -> {
        if (raw.length() > 15) {
            throw new InvalidValueException("interface name `" + raw + "' must be shorter than 16 characters");
        }
        return raw;
    });

    private static ExtensionSpec physdev() {
        return ExtensionSpec.match("physdev", "bridge ports of a bridged packet",
                        OptionSpec.flag("physdev-is-in", "the packet entered through a bridge port").invertible()
                                .tests(PacketField.BRIDGE_PORT),
                        OptionSpec.of("physdev-in", "bridge port the packet entered by (`+' matches a prefix)",
                                BRIDGE_PORT).tests(PacketField.BRIDGE_PORT).invertible(),
                        OptionSpec.flag("physdev-is-out", "the packet will leave through a bridge port").invertible()
                                .tests(PacketField.BRIDGE_PORT),
                        OptionSpec.of("physdev-out", "bridge port the packet will leave by", BRIDGE_PORT).invertible()
                                .tests(PacketField.BRIDGE_PORT),
                        OptionSpec.flag("physdev-is-bridged", "the packet is being bridged, not routed").invertible()
                                .tests(PacketField.BRIDGE_PORT))
                .canonicalizedBy(InterfaceMatches::physdevCanonical)
                .means(MatchSemantics.tests(MatchSemantics.NOT_READ));
    }

    private static List<Option> physdevCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        Checks.notEmpty(options, "match physdev", "at least one option");
        boolean outputSide = Checks.has(options, "physdev-out") || Checks.has(options, "physdev-is-out");
        boolean bridged = options.stream().anyMatch(o -> o.name().equals("physdev-is-bridged") && !o.negated());
        if (outputSide && !bridged && context.hookIfBuiltin().orElse(null) == Hook.OUTPUT) {
            throw new InvalidValueException("--physdev-out and --physdev-is-out need --physdev-is-bridged in OUTPUT:"
                    + " the bridge port is not known there yet");
        }
        return options;
    }

    private static ExtensionSpec devgroup() {
        ValueType group = Iproute2Names.valueMask("group");
        return ExtensionSpec.match("devgroup", "device group of the input or output interface",
                        OptionSpec.of("src-group", "group[/mask] or name of the input interface", group).invertible(),
                        OptionSpec.of("dst-group", "group[/mask] or name of the output interface", group).invertible())
                .canonicalizedBy((options, context) -> {
                    Checks.notEmpty(options, "match devgroup", "--src-group or --dst-group");
                    if (Checks.has(options, "src-group")) {
                        Checks.requireHook(context, "--src-group", Hook.RECEIVING);
                    }
                    if (Checks.has(options, "dst-group")) {
                        Checks.requireHook(context, "--dst-group", Hook.SENDING);
                    }
                    return options;
                });
    }
}
