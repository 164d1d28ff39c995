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
 * connection remembers that it was translated when that changed its address or port: the kernel's
 * nf_nat_setup_info sets IPS_DST_NAT or IPS_SRC_NAT (what {@code --ctstate DNAT} and {@code SNAT}
 * test) only when the new tuple differs from the old.
 */
final class Nat {

    private Nat() {
    }

    /** The translation a NAT target makes; null for any other target. */
    static Action.Effect effect(TargetSemantics semantics, Family family) {
        if (semantics instanceof TargetSemantics.Dnat dnat) {
            NatRange to = dnat.to();
            return f -> destination(f, address(to, f.packet.dstBytes()), port(to.ports(), f.packet.dport()));
        }
        if (semantics instanceof TargetSemantics.Snat snat) {
            NatRange to = snat.to();
            return f -> source(f, address(to, f.packet.srcBytes()), port(to.ports(), f.packet.sport()));
        }
        if (semantics instanceof TargetSemantics.Masquerade masquerade) {
            return f -> {
                byte[] address = f.host.addressOf(f.packet.out(), family).orElse(f.packet.srcBytes());
                source(f, address, port(masquerade.ports(), f.packet.sport()));
            };
        }
        if (semantics instanceof TargetSemantics.Redirect redirect) {
            byte[] loopback = Addresses.parseLiteral(family == Family.IPV4 ? "127.0.0.1" : "::1", family);
            return f -> {
                byte[] address = f.hook == Hook.OUTPUT ? loopback
                        : f.host.addressOf(f.packet.in(), family).orElse(f.packet.dstBytes());
                destination(f, address, port(redirect.ports(), f.packet.dport()));
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
                destination(f, mapped, f.packet.dport());
            } else {
                source(f, mapped, f.packet.sport());
            }
        };
    }

    private static void destination(Flow f, byte[] address, int port) {
        boolean changed = !java.util.Arrays.equals(address, f.packet.dstBytes()) || port != f.packet.dport();
        f.packet = f.packet.withDestination(address, port);
        f.dnat |= changed;
    }

    private static void source(Flow f, byte[] address, int port) {
        boolean changed = !java.util.Arrays.equals(address, f.packet.srcBytes()) || port != f.packet.sport();
        f.packet = f.packet.withSource(address, port);
        f.snat |= changed;
    }

    private static byte[] address(NatRange to, byte[] unchanged) {
        return to.addresses() == null ? unchanged : to.addresses().first();
    }

    private static int port(NatPorts ports, int unchanged) {
        return ports == null ? unchanged : (int) ports.ports().low();
    }
}
