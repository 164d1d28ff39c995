package io.rampart.analysis;

import io.rampart.model.Family;
import io.rampart.model.Target;
import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.TargetSemantics;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.model.value.NatPorts;
import io.rampart.model.value.NatRange;

/**
 * What a target that lets the packet go on (or, for NAT, accepts it in its table) does to the
 * packet and its connection, read from the target's declared {@link TargetSemantics} as the tracer
 * reads it, in the terms of the analysis: the one place the analysis reads a target's effect. What
 * it cannot compute (a hash, a verdict only the kernel knows) becomes free variables, so that the
 * results hanging on it say so and the others stay exact.
 */
final class TargetEffects {

    private static final ExtensionRegistry REGISTRY = StandardExtensions.registry();

    /** One target's change. */
    sealed interface Effect {
    }

    /** Nothing a rule of the analysis reads changes (LOG, CT without --notrack, ...). */
    record Unchanged() implements Effect {
    }

    /** The packet's mark, or the connection's, becomes {@code (old & ~mask) ^ value}. */
    record SetMark(boolean connection, long value, long mask) implements Effect {
    }

    /**
     * CONNMARK --save-mark (to the connection) or --restore-mark (to the packet): the target keeps
     * its bits outside its mask, the source's bits under its mask are shifted ({@code shift} left,
     * negative: right) and xor-ed in.
     */
    record CopyMark(boolean save, long nfmask, long ctmask, int shift) implements Effect {
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

    /** The TTL (IPv4) or hop limit (IPv6) set, decreased or increased, within 0-255. */
    record SetHops(TargetSemantics.HopLimit change) implements Effect {
    }

    /** The TOS byte (IPv6: traffic class) becomes {@code (old & ~mask) ^ value}, as the kernel's TOS target has it. */
    record SetTos(long value, long mask) implements Effect {
    }

    /** The ECN target: the TOS byte as {@link SetTos} has it, and a TCP packet's flags likewise. */
    record SetEcn(SetTos tos, long flagsValue, long flagsMask) implements Effect {
    }

    /**
     * A value the analysis cannot compute: the packet's mark (HMARK's hash, within {@code offset} and the
     * {@code count} marks after it) or an address (prefix translation's checksum-neutral rewrite). Results
     * that hang on it say so; the same target on the same packet sets the same value.
     *
     * @param text the target as the rule spells it
     */
    record SetsUnknown(String text, Unknown field, long offset, long count) implements Effect {
    }

    /** The fields {@link SetsUnknown} may set. */
    enum Unknown { MARK, SOURCE, DESTINATION }

    /**
     * A target whose verdict the analysis cannot tell (only the kernel knows: sockets, sets, a cookie; or
     * the program reading a queue):
     * the packets it takes end accepted or dropped, and which hangs on what the target does.
     */
    record Undecided(String text) implements Effect {
    }

    /** SYNPROXY: a client's SYN is answered and taken, an ACK passes only with its cookie (undecided), the rest on. */
    record Synproxy(String text) implements Effect {
    }

    private TargetEffects() {
    }

    /** Whether the target ends the packet's walk through the hook with a verdict it gives itself. */
    static boolean ends(Target target, Family family) {
        return REGISTRY.targetSemantics(target, family) instanceof TargetSemantics.Verdict;
    }

    /** Whether the packet goes on changed in nothing any rule reads (LOG, NFLOG, CLASSIFY, ...). */
    static boolean goesOn(Target target, Family family) {
        TargetSemantics semantics = REGISTRY.targetSemantics(target, family);
        return semantics instanceof TargetSemantics.Continues || semantics instanceof TargetSemantics.Log;
    }

    /** Whether the target translates the connection, which ends the nat chain's walk as ACCEPT does. */
    static boolean translates(Target target, Family family) {
        return of(target, family, "PREROUTING") instanceof Translate;
    }

    /** The effect of {@code target} in built-in chain {@code hook} (NAT's direction depends on it). */
    static Effect of(Target target, Family family, String hook) {
        TargetSemantics semantics = REGISTRY.targetSemantics(target, family);
        if (semantics instanceof TargetSemantics.SetMark set) {
            return new SetMark(set.mark() == TargetSemantics.Mark.CONNECTION, set.change().value(),
                    set.change().mask());
        }
        if (semantics instanceof TargetSemantics.CopyMark copy) {
            return new CopyMark(copy.to() == TargetSemantics.Mark.CONNECTION, copy.packetMask(),
                    copy.connectionMask(), copy.shift());
        }
        if (semantics instanceof TargetSemantics.NoTrack) {
            return new Untrack();
        }
        if (semantics instanceof TargetSemantics.Dnat dnat) {
            return range(dnat.to(), family, true);
        }
        if (semantics instanceof TargetSemantics.Snat snat) {
            return range(snat.to(), family, false);
        }
        if (semantics instanceof TargetSemantics.Masquerade masquerade) {
            // The outgoing interface's address, which an unknown host does not have: the source address stays.
            return new Translate(false, null, null, firstPort(masquerade.ports()));
        }
        if (semantics instanceof TargetSemantics.Redirect redirect) {
            // Before routing the address is the incoming interface's, which an unknown host does not have.
            byte[] loopback = hook.equals("OUTPUT")
                    ? Addresses.parseLiteral(family == Family.IPV4 ? "127.0.0.1" : "::1", family) : null;
            return new Translate(true, loopback, loopback == null ? null : full(family), firstPort(redirect.ports()));
        }
        if (semantics instanceof TargetSemantics.Netmap netmap) {
            return new Translate(hook.equals("PREROUTING") || hook.equals("OUTPUT"), netmap.to().address(),
                    netmap.to().mask(), -1);
        }
        if (semantics instanceof TargetSemantics.Continues || semantics instanceof TargetSemantics.Log) {
            return new Unchanged();
        }
        if (semantics instanceof TargetSemantics.RewriteTos tos) {
            return new SetTos(tos.change().value(), tos.change().mask());
        }
        if (semantics instanceof TargetSemantics.RewriteEcn ecn) {
            return new SetEcn(new SetTos(ecn.tos().value(), ecn.tos().mask()), ecn.tcpFlags().value(),
                    ecn.tcpFlags().mask());
        }
        if (semantics instanceof TargetSemantics.HopLimit hops) {
            return new SetHops(hops);
        }
        if (semantics instanceof TargetSemantics.HashMark hmark) {
            return new SetsUnknown(text(target), Unknown.MARK, hmark.offset(), hmark.modulus());
        }
        if (semantics instanceof TargetSemantics.PrefixTranslation npt) {
            return new SetsUnknown(text(target), npt.source() ? Unknown.SOURCE : Unknown.DESTINATION, 0, 0);
        }
        if (semantics instanceof TargetSemantics.Synproxy) {
            return new Synproxy(text(target));
        }
        // A queued packet's verdict is the reading program's (or, with --queue-bypass and none reading, ACCEPT):
        // like the targets only the kernel can follow, it ends accepted or dropped.
        return new Undecided(text(target));
    }

    /** The target as a rule spells it, e.g. {@code -j HMARK --hmark-mod 4}. */
    static String text(Target target) {
        StringBuilder b = new StringBuilder("-j ").append(target.name());
        target.options().forEach(o -> {
            b.append(o.negated() ? " ! --" : " --").append(o.name());
            o.args().forEach(arg -> b.append(' ').append(arg));
        });
        return b.toString();
    }

    private static Effect range(NatRange to, Family family, boolean destination) {
        byte[] address = to.addresses() == null ? null : to.addresses().first();
        return new Translate(destination, address, address == null ? null : full(family), firstPort(to.ports()));
    }

    private static int firstPort(NatPorts ports) {
        return ports == null ? -1 : (int) ports.ports().low();
    }

    private static byte[] full(Family family) {
        byte[] all = new byte[family.addressBits() / 8];
        java.util.Arrays.fill(all, (byte) 0xff);
        return all;
    }
}
