package io.rampart.trace;

import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.TargetSemantics;
import io.rampart.model.value.NatPorts;
import io.rampart.model.value.NatRange;
import io.rampart.model.value.Network;

/**
 * The NAT targets: the first address and port of their range replace the packet's, and the
 * connection remembers that it was translated.
 */
final class Nat {

    private Nat() {
    }

    /** The translation a NAT target makes; null for any other target. */
    static Action.Effect effect(TargetSemantics semantics, Family family) {
        if (semantics instanceof TargetSemantics.Dnat dnat) {
            NatRange to = dnat.to();
            return f -> {
                f.packet = f.packet.withDestination(address(to, f.packet.dstBytes()), port(to.ports(), f.packet.dport()));
                f.dnat = true;
            };
        }
        if (semantics instanceof TargetSemantics.Snat snat) {
            NatRange to = snat.to();
            return f -> {
                f.packet = f.packet.withSource(address(to, f.packet.srcBytes()), port(to.ports(), f.packet.sport()));
                f.snat = true;
            };
        }
        if (semantics instanceof TargetSemantics.Masquerade masquerade) {
            return f -> {
                byte[] address = f.host.addressOf(f.packet.out(), family).orElse(f.packet.srcBytes());
                f.packet = f.packet.withSource(address, port(masquerade.ports(), f.packet.sport()));
                f.snat = true;
            };
        }
        if (semantics instanceof TargetSemantics.Redirect redirect) {
            byte[] loopback = Addresses.parseLiteral(family == Family.IPV4 ? "127.0.0.1" : "::1", family);
            return f -> {
                byte[] address = f.hook == Hook.OUTPUT ? loopback
                        : f.host.addressOf(f.packet.in(), family).orElse(f.packet.dstBytes());
                f.packet = f.packet.withDestination(address, port(redirect.ports(), f.packet.dport()));
                f.dnat = true;
            };
        }
        if (semantics instanceof TargetSemantics.Netmap netmap) {
            return netmap(netmap.to());
        }
        return null;
    }

    private static Action.Effect netmap(Network net) {
        byte[] network = net.address();
        byte[] mask = net.mask();
        return f -> {
            boolean destination = f.hook == Hook.PREROUTING || f.hook == Hook.OUTPUT;
            byte[] old = destination ? f.packet.dstBytes() : f.packet.srcBytes();
            byte[] mapped = new byte[old.length];
            for (int i = 0; i < old.length; i++) {
                mapped[i] = (byte) ((network[i] & mask[i]) | (old[i] & ~mask[i]));
            }
            if (destination) {
                f.packet = f.packet.withDestination(mapped, f.packet.dport());
                f.dnat = true;
            } else {
                f.packet = f.packet.withSource(mapped, f.packet.sport());
                f.snat = true;
            }
        };
    }

    private static byte[] address(NatRange to, byte[] unchanged) {
        return to.addresses() == null ? unchanged : to.addresses().first();
    }

    private static int port(NatPorts ports, int unchanged) {
        return ports == null ? unchanged : (int) ports.ports().low();
    }
}
