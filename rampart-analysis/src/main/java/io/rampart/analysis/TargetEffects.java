package io.rampart.analysis;

import io.rampart.model.Family;
import io.rampart.model.Option;
import io.rampart.model.Target;
import io.rampart.model.extension.Addresses;
import io.rampart.model.value.Network;
import java.util.Optional;
import java.util.Set;

/**
 * What a target that lets the packet go on (or, for NAT, accepts it in its table) does to the
 * packet and its connection, as the tracer applies it: the one place the analysis reads a
 * target's effect. A target whose change the analysis cannot follow says why.
 */
final class TargetEffects {

    /** One target's change. */
    sealed interface Effect {
    }

    /** Nothing a rule of the analysis reads changes (LOG, TOS, CT without --notrack, ...). */
    record Unchanged() implements Effect {
    }

    /** The packet's mark, or the connection's, becomes {@code (old & ~mask) ^ value}. */
    record SetMark(boolean connection, long value, long mask) implements Effect {
    }

    /** CONNMARK --save-mark (to the connection) or --restore-mark (to the packet). */
    record CopyMark(boolean save, long nfmask, long ctmask) implements Effect {
    }

    /** NOTRACK and CT --notrack: the connection is not tracked. */
    record Untrack() implements Effect {
    }

    /**
     * NAT: the destination (DNAT, REDIRECT, NETMAP before routing) or the source becomes
     * {@code address} under {@code mask} (null: unchanged) and {@code port} (-1: unchanged).
     */
    record Translate(boolean destination, byte[] address, byte[] mask, int port) implements Effect {
    }

    /** A change the analysis does not follow. */
    record Unfollowed(String why) implements Effect {
    }

    /** Targets whose changes no modelled match reads, as the tracer's continuing targets. */
    private static final Set<String> UNCHANGED = Set.of("LOG", "NFLOG", "TRACE", "AUDIT", "CHECKSUM", "CLASSIFY",
            "TCPMSS", "SET", "TPROXY", "TEE", "SECMARK", "CONNSECMARK", "IDLETIMER", "LED", "RATEEST", "TCPOPTSTRIP",
            "TOS", "DSCP", "ECN");

    static final Set<String> NAT = Set.of("DNAT", "SNAT", "MASQUERADE", "REDIRECT", "NETMAP");

    private TargetEffects() {
    }

    /** The effect of {@code target} in built-in chain {@code hook} (NAT's direction depends on it). */
    static Effect of(Target target, Family family, String hook) {
        String name = target.name();
        if (UNCHANGED.contains(name)) {
            return new Unchanged();
        }
        return switch (name) {
            case "MARK" -> xmark(target, false);
            case "CONNMARK" -> connmark(target);
            case "NOTRACK" -> new Untrack();
            case "CT" -> target.option("notrack").isPresent() ? new Untrack() : new Unchanged();
            case "DNAT" -> endpoint(target.option("to-destination").orElseThrow().arg(), family, true);
            case "SNAT" -> endpoint(target.option("to-source").orElseThrow().arg(), family, false);
            case "MASQUERADE" -> new Translate(false, null, null, firstPort(target.option("to-ports")));
            case "REDIRECT" -> {
                // Before routing the address is the incoming interface's, which an unknown host does not have.
                byte[] loopback = hook.equals("OUTPUT")
                        ? Addresses.parseLiteral(family == Family.IPV4 ? "127.0.0.1" : "::1", family) : null;
                yield new Translate(true, loopback, loopback == null ? null : full(family),
                        firstPort(target.option("to-ports")));
            }
            case "NETMAP" -> {
                Network to = Addresses.network(target.option("to").orElseThrow().arg(), false);
                yield new Translate(hook.equals("PREROUTING") || hook.equals("OUTPUT"), to.address(), to.mask(), -1);
            }
            case "TTL", "HL" -> new Unfollowed("-j " + name + " changes the hop limit, which decides forwarding");
            default -> new Unfollowed("-j " + name + " changes the packet or its connection in a way diff does not"
                    + " follow");
        };
    }

    /** {@code --set-xmark VALUE/MASK} as iptables-save prints it, in hex. */
    private static Effect xmark(Target target, boolean connection) {
        String[] parts = target.option("set-xmark").orElseThrow().arg().split("/");
        return new SetMark(connection, Long.decode(parts[0]), parts.length > 1 ? Long.decode(parts[1]) : 0xffffffffL);
    }

    private static Effect connmark(Target target) {
        if (target.option("left-shift-mark").isPresent() || target.option("right-shift-mark").isPresent()) {
            return new Unfollowed("-j CONNMARK with a shift");
        }
        if (target.option("set-xmark").isPresent()) {
            return xmark(target, true);
        }
        return new CopyMark(target.option("save-mark").isPresent(), hex(target, "nfmask"), hex(target, "ctmask"));
    }

    private static long hex(Target target, String option) {
        return Long.decode(target.option(option).orElseThrow().arg());
    }

    /** {@code ADDR[-ADDR][:PORT[-PORT]]} (an IPv6 address in brackets before a port): its first address and port. */
    private static Effect endpoint(String text, Family family, boolean destination) {
        String addresses = text;
        String ports = null;
        int colon = family == Family.IPV6 ? text.indexOf("]:") : text.indexOf(':');
        if (colon >= 0) {
            addresses = text.substring(0, colon);
            ports = text.substring(colon + (family == Family.IPV6 ? 2 : 1));
        }
        addresses = addresses.replace("[", "").replace("]", "");
        byte[] address = addresses.isEmpty() ? null : Addresses.parseLiteral(addresses.split("-")[0], family);
        int port = ports == null ? -1 : Integer.parseInt(ports.split("[-:/]")[0]);
        return new Translate(destination, address, address == null ? null : full(family), port);
    }

    private static int firstPort(Optional<Option> ports) {
        return ports.map(o -> Integer.parseInt(o.arg().split("-")[0])).orElse(-1);
    }

    private static byte[] full(Family family) {
        byte[] all = new byte[family.addressBits() / 8];
        java.util.Arrays.fill(all, (byte) 0xff);
        return all;
    }
}
