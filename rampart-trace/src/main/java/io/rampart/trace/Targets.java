package io.rampart.trace;

import io.rampart.model.Family;
import io.rampart.model.Target;
import io.rampart.model.extension.TargetSemantics;
import io.rampart.model.extensions.StandardExtensions;

/** Compiles a rule's target into the action the tracer takes when the rule matches, as its spec declares it. */
final class Targets {

    private Targets() {
    }

    static Action compile(Target target, Family family) {
        TargetSemantics semantics = StandardExtensions.registry().targetSemantics(target, family);
        if (semantics instanceof TargetSemantics.Verdict verdict) {
            return Action.of(verdict.kind() == TargetSemantics.Verdict.Kind.ACCEPT ? Action.Kind.ACCEPT
                    : Action.Kind.DROP);
        }
        if (semantics instanceof TargetSemantics.Return) {
            return Action.of(Action.Kind.RETURN);
        }
        if (semantics instanceof TargetSemantics.Jump jump) {
            return new Action(Action.Kind.JUMP, jump.chain(), Action.Effect.NONE);
        }
        if (semantics instanceof TargetSemantics.Goto go) {
            return new Action(Action.Kind.GOTO, go.chain(), Action.Effect.NONE);
        }
        if (semantics instanceof TargetSemantics.Queue queue) {
            return Action.undecided("-j " + target.name(), queued(queue));
        }
        if (semantics instanceof TargetSemantics.NotModelled unknown) {
            String what = "-j " + target.name();
            return Action.undecided(what, unknown.why() != null ? unknown.why() : what + " is not modelled by the tracer");
        }
        if (semantics instanceof TargetSemantics.Synproxy) {
            return Action.depending(Targets::synproxy);
        }
        if (semantics instanceof TargetSemantics.HashMark hmark) {
            return HashMark.action(hmark, family);
        }
        if (semantics instanceof TargetSemantics.PrefixTranslation npt) {
            return PrefixTranslation.action(npt);
        }
        // A translation is the nat table's verdict: the connection's first packet leaves the chain.
        Action.Effect translation = Nat.effect(semantics, family);
        if (translation != null) {
            return new Action(Action.Kind.ACCEPT, null, translation);
        }
        Action.Effect change = change(semantics);
        return new Action(Action.Kind.CONTINUE, null, change == null ? Action.Effect.NONE : change);
    }

    /** Why a queued packet's verdict is not the ruleset's to tell. */
    private static String queued(TargetSemantics.Queue queue) {
        String queues = queue.queues().low() == queue.queues().high() ? "queue " + queue.queues().low()
                : "one of queues " + queue.queues().low() + "-" + queue.queues().high();
        return "the program reading " + queues + " gives the verdict (accept, drop or back into the ruleset); "
                + (queue.bypass() ? "with none reading, the packet goes on as if accepted"
                : "with none reading, the kernel drops it");
    }

    /** What a target that lets the packet go on changes; null: nothing the trace reads. */
    private static Action.Effect change(TargetSemantics semantics) {
        if (semantics instanceof TargetSemantics.SetMark set) {
            return set.mark() == TargetSemantics.Mark.PACKET
                    ? f -> f.packet = f.packet.withMark(set.applyTo(f.packet.mark()))
                    : f -> {
                        if (f.tracked()) {
                            f.ctmark = set.applyTo(f.ctmark);
                        }
                    };
        }
        if (semantics instanceof TargetSemantics.CopyMark copy) {
            return copy.to() == TargetSemantics.Mark.CONNECTION
                    ? f -> {
                        if (f.tracked()) {
                            f.ctmark = copy.applyTo(f.ctmark, f.packet.mark());
                        }
                    }
                    : f -> {
                        if (f.tracked()) {
                            f.packet = f.packet.withMark(copy.applyTo(f.packet.mark(), f.ctmark));
                        }
                    };
        }
        if (semantics instanceof TargetSemantics.RewriteTos tos) {
            return f -> f.packet = f.packet.withTos(tos.applyTo(f.packet.tos()));
        }
        if (semantics instanceof TargetSemantics.RewriteEcn ecn) {
            return f -> f.packet = f.packet.withTos(ecn.tosAfter(f.packet.tos()))
                    .withTcpFlags(f.packet.proto() == Packet.TCP ? ecn.tcpFlagsAfter(f.packet.tcpFlags())
                            : f.packet.tcpFlags());
        }
        if (semantics instanceof TargetSemantics.HopLimit hops) {
            return f -> f.packet = f.packet.withTtl(hops.applyTo(f.packet.ttl()));
        }
        if (semantics instanceof TargetSemantics.NoTrack) {
            return Targets::notrack;
        }
        return null;
    }

    /**
     * SYNPROXY answers a client's SYN itself and takes the packet; an ACK opens the connection to
     * the server only when it carries the cookie SYNPROXY sent, which the tracer cannot know; any
     * other packet passes on.
     */
    private static Action synproxy(Flow flow) {
        int flags = flow.packet.tcpFlags() & (FIN | Packet.SYN | RST | Packet.ACK);
        if (flags == Packet.SYN) {
            return Action.of(Action.Kind.DROP);
        }
        if (flags == Packet.ACK) {
            return Action.undecided("-j SYNPROXY", "an ACK passes only with the cookie of a SYN-ACK SYNPROXY sent,"
                    + " which the tracer does not know");
        }
        return Action.of(Action.Kind.CONTINUE);
    }

    private static final int FIN = 1;
    private static final int RST = 4;

    /** The kernel's CT target leaves a packet that already has a conntrack entry (looped back) as it is. */
    private static void notrack(Flow f) {
        if (!f.ctAttached) {
            f.state = CtState.UNTRACKED;
        }
    }
}
