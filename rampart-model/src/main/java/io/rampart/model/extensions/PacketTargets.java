package io.rampart.model.extensions;

import io.rampart.model.Hook;
import io.rampart.model.Table;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.TargetSemantics;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import java.util.List;

/** Targets that change packet metadata (traffic control class, checksum) or send a copy of the packet (TEE). */
final class PacketTargets {

    private PacketTargets() {
    }

    /**
     * {@code MAJOR:MINOR} in hex, read like sscanf's {@code %x:%x} (each wraps to 32 bits, then to
     * 16 in the class) and printed as four hex digits each.
     */
    static final ValueType CLASS = Values.of("tc-class", "major:minor (hex)", (raw, ctx) -> {
        CNumbers.Read major = CNumbers.scanf(raw, 0, 16, 32);
        if (!major.found() || major.end() >= raw.length() || raw.charAt(major.end()) != ':') {
            throw new InvalidValueException("bad class `" + raw + "': write MAJOR:MINOR in hex, e.g. 1:10");
        }
        CNumbers.Read minor = CNumbers.scanf(raw, major.end() + 1, 16, 32);
        if (!minor.found()) {
            throw new InvalidValueException("bad class `" + raw + "': write MAJOR:MINOR in hex, e.g. 1:10");
        }
        return String.format("%04x:%04x", major.value() & 0xffff, minor.value() & 0xffff);
    });

    static List<ExtensionSpec> specs() {
        return List.of(
                ExtensionSpec.target("CLASSIFY", "put the packet in a traffic control class",
                                OptionSpec.of("set-class", "class as MAJOR:MINOR in hex", CLASS).required())
                        .does(new TargetSemantics.Continues("the traffic control class"))
                        .atHooks(Hook.FORWARD, Hook.OUTPUT, Hook.POSTROUTING),
                ExtensionSpec.target("CHECKSUM", "compute a missing checksum in the packet (for virtual machines)",
                                OptionSpec.flag("checksum-fill", "fill in the checksum now").required())
                        .does(new TargetSemantics.Continues("the transport checksum"))
                        .inTables(Table.MANGLE),
                tee());
    }

    /** An interface name as TEE keeps it: cut to the kernel's 15 characters; empty means none. */
    private static final ValueType OUTPUT_INTERFACE = Values.cutText("interface", 15);

    /** One address, not the unspecified one (0.0.0.0 or ::), which the kernel refuses. */
    private static final ValueType GATEWAY = Values.of("address", "address", (raw, ctx) -> {
        String address = ConntrackTargets.HOST.canonical(raw, ctx);
        if (address.equals("0.0.0.0") || address.equals("::")) {
            throw new InvalidValueException("TEE needs a gateway's address, not " + address);
        }
        return address;
    });

    private static ExtensionSpec tee() {
        return ExtensionSpec.target("TEE", "send a copy of the packet to a gateway on the local network",
                        OptionSpec.of("gateway", "address of the host the copy is routed to", GATEWAY).required(),
                        OptionSpec.of("oif", "send the copy out of this interface", OUTPUT_INTERFACE))
                .does(new TargetSemantics.Continues("nothing of the packet: a copy of it is sent"))
                .canonicalizedBy((options, context) -> options.stream()
                        .filter(o -> !(o.name().equals("oif") && o.arg().isEmpty())).toList());
    }
}
