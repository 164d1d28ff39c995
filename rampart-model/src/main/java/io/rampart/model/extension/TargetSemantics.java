package io.rampart.model.extension;

import io.rampart.model.Option;
import io.rampart.model.value.NatPorts;
import io.rampart.model.value.NatRange;
import io.rampart.model.value.Network;
import io.rampart.model.value.Range;
import io.rampart.model.value.ValueMask;
import java.util.List;

/**
 * What a rule's target does to the packet or its connection, as the tracer and the analysis read
 * it: a verdict, a jump, a change with its typed values, or that it changes nothing a rule reads,
 * or that nothing outside the kernel can tell. Each target's {@link ExtensionSpec} declares it
 * ({@link ExtensionSpec#does}); {@link ExtensionRegistry#targetSemantics} gives it for a rule's
 * target, user chains included.
 */
public sealed interface TargetSemantics {

    /**
     * Whether no packet goes on to the rule after this one, whatever the packet: verdicts, RETURN,
     * gotos, queueing (a bypass accepts), NAT (an accept once the mapping is set up), and verdicts
     * only the kernel can choose ({@link NotModelled#endsChain}).
     */
    default boolean endsChain() {
        return this instanceof Verdict || this instanceof Return || this instanceof Goto || this instanceof Queue
                || this instanceof Dnat || this instanceof Snat || this instanceof Masquerade
                || this instanceof Redirect || this instanceof Netmap;
    }

    /** How a target's semantics follow from its canonical options, typed as its spec reads them. */
    @FunctionalInterface
    interface Declaration {
        TargetSemantics of(List<Option> options);
    }

    /** A verdict that ends the packet's walk through the hook: REJECT answers the sender, then drops. */
    record Verdict(Kind kind) implements TargetSemantics {

        public enum Kind { ACCEPT, DROP, REJECT }
    }

    /** Back to the calling chain; in a built-in chain, its policy. */
    record Return() implements TargetSemantics {
    }

    /** {@code -j CHAIN}: into a user chain, and back after it. */
    record Jump(String chain) implements TargetSemantics {
    }

    /** {@code -g CHAIN}: into a user chain, whose end returns to the caller's caller. */
    record Goto(String chain) implements TargetSemantics {
    }

    /** Handed to user space on one of {@code queues}; {@code bypass}: accepted when nothing listens. */
    record Queue(Range queues, boolean bypass) implements TargetSemantics {
    }

    /** The marks a target changes: the packet's or its connection's. */
    enum Mark { PACKET, CONNECTION }

    /** The mark becomes {@code (old & ~mask) ^ value}: how the kernel keeps every mark operation. */
    record SetMark(Mark mark, ValueMask change) implements TargetSemantics {

        public long applyTo(long old) {
            return ((old & ~change.mask()) ^ change.value()) & change.full();
        }
    }

    /**
     * One mark copied into the other ({@code to}): CONNMARK's save (to the connection) and restore
     * (to the packet). The target keeps its bits outside its mask; the source's bits under its mask
     * are shifted ({@code shift} bits left, negative: right) and xor-ed in.
     */
    record CopyMark(Mark to, long packetMask, long connectionMask, int shift) implements TargetSemantics {

        public long applyTo(long target, long source) {
            boolean toConnection = to == Mark.CONNECTION;
            long copied = source & (toConnection ? packetMask : connectionMask);
            copied = shift >= 0 ? copied << shift : copied >>> -shift;
            return ((target & ~(toConnection ? connectionMask : packetMask)) ^ copied) & 0xffffffffL;
        }
    }

    /** The destination becomes the first address and port of {@code to}; what it leaves out is kept. */
    record Dnat(NatRange to) implements TargetSemantics {
    }

    /** The source becomes the first address and port of {@code to}; what it leaves out is kept. */
    record Snat(NatRange to) implements TargetSemantics {
    }

    /** The source becomes the outgoing interface's address, its port the first of {@code ports} (null: kept). */
    record Masquerade(NatPorts ports) implements TargetSemantics {
    }

    /**
     * The destination becomes this host (the incoming interface's address, or loopback for a
     * packet sent here), its port the first of {@code ports} (null: kept).
     */
    record Redirect(NatPorts ports) implements TargetSemantics {
    }

    /**
     * The network part of the address replaced by {@code to}'s, the host part kept: the destination
     * before routing (PREROUTING, OUTPUT), the source after it.
     */
    record Netmap(Network to) implements TargetSemantics {
    }

    /** Stateless IPv6 prefix translation (RFC 6296) of the source (SNPT) or the destination (DNPT). */
    record PrefixTranslation(boolean source, Network from, Network to) implements TargetSemantics {
    }

    /** How the TTL or hop limit changes. */
    enum Change { SET, DECREASE, INCREASE }

    /** The TTL (IPv4) or hop limit (IPv6) set, decreased or increased by {@code amount}, within 0-255. */
    record HopLimit(Change change, int amount) implements TargetSemantics {

        public int applyTo(int old) {
            return switch (change) {
                case SET -> amount;
                case DECREASE -> Math.max(0, old - amount);
                case INCREASE -> Math.min(255, old + amount);
            };
        }
    }

    /** The TOS byte (traffic class) becomes {@code (old & ~mask) ^ value}: TOS, DSCP and ECN's IP bits. */
    record RewriteTos(ValueMask change) implements TargetSemantics {

        public int applyTo(int old) {
            return (int) (((old & ~change.mask()) ^ change.value()) & 0xff);
        }
    }

    /**
     * The ECN target: the TOS byte becomes {@code (old & ~tos.mask) ^ tos.value} (the ECN code point) and a
     * TCP packet's flags {@code (old & ~tcpFlags.mask) ^ tcpFlags.value} (ECE and CWR); a mask of 0 changes nothing.
     */
    record RewriteEcn(ValueMask tos, ValueMask tcpFlags) implements TargetSemantics {

        public int tosAfter(int old) {
            return (int) (((old & ~tos.mask()) ^ tos.value()) & 0xff);
        }

        public int tcpFlagsAfter(int old) {
            return (int) (((old & ~tcpFlags.mask()) ^ tcpFlags.value()) & 0xff);
        }
    }

    /** The connection is not tracked: its packets are UNTRACKED (a packet already tracked stays so). */
    record NoTrack() implements TargetSemantics {
    }

    /** A line in the kernel log or a copy to user space, with {@code prefix} ("" without one); the packet goes on. */
    record Log(String prefix) implements TargetSemantics {
    }

    /**
     * HMARK: the packet mark set to {@code offset + hash * modulus / 2^32}, the hash over the
     * addresses' first {@code sourcePrefix}/{@code destinationPrefix} bits, the ports (or SPI)
     * and-ed with {@code portMask} and or-ed with {@code portSet}, the protocol and-ed with
     * {@code protocolMask}, and {@code seed}; {@code connection}: over the connection's tuples.
     */
    record HashMark(int sourcePrefix, int destinationPrefix, long portMask, long portSet, int protocolMask,
                    int seed, long modulus, long offset, boolean connection)
            implements TargetSemantics {
    }

    /** SYNPROXY: answers a client's SYN itself, lets an ACK with its cookie through, passes the rest. */
    record Synproxy() implements TargetSemantics {
    }

    /** The packet goes on, changed only in what no rule reads: {@code changes} says what. */
    record Continues(String changes) implements TargetSemantics {
    }

    /**
     * What the target does hangs on what the kernel alone knows: {@code why} (null: not declared);
     * {@code endsChain} when each way it can go is a verdict.
     */
    record NotModelled(String why, boolean endsChain) implements TargetSemantics {

        public NotModelled(String why) {
            this(why, false);
        }
    }

    /** The semantics of a spec that declares none: a target the tracer cannot follow. */
    TargetSemantics UNDECLARED = new NotModelled(null);

    /** A rule without a target: the packet goes on. */
    TargetSemantics NOTHING = new Continues("nothing: the rule has no target");

    /** The same semantics whatever the options. */
    static Declaration always(TargetSemantics semantics) {
        return options -> semantics;
    }
}
