package io.rampart.trace;

import io.rampart.model.Family;
import io.rampart.model.Option;
import io.rampart.model.Target;

/** Compiles a rule's target into the action the tracer takes when the rule matches. */
final class Targets {

    private Targets() {
    }

    static Action compile(Target target, Family family) {
        if (target == null) {
            return Action.of(Action.Kind.CONTINUE);
        }
        return switch (target.name()) {
            case "ACCEPT" -> Action.of(Action.Kind.ACCEPT);
            case "DROP", "REJECT" -> Action.of(Action.Kind.DROP);
            case "RETURN" -> Action.of(Action.Kind.RETURN);
            case "NFQUEUE", "QUEUE" -> Action.of(Action.Kind.QUEUE);
            case "MARK" -> effect(mark(target));
            case "CONNMARK" -> effect(connmark(target));
            case "TOS" -> effect(xmark(target, "set-tos", 0xff, (f, v) -> f.packet = f.packet.withTos((int) v)));
            case "DSCP" -> {
                int dscp = Integer.decode(value(target, "set-dscp"));
                yield effect(f -> f.packet = f.packet.withTos((f.packet.tos() & 3) | (dscp << 2)));
            }
            case "TTL", "HL" -> effect(hopLimit(target));
            case "NOTRACK" -> effect(Targets::notrack);
            case "CT" -> effect(target.option("notrack").isPresent() ? Targets::notrack : Action.Effect.NONE);
            case "DNAT", "SNAT", "MASQUERADE", "REDIRECT", "NETMAP" ->
                    new Action(Action.Kind.ACCEPT, null, Nat.effect(target, family));
            case "HMARK" -> HashMark.action(target, family);
            case "SNPT", "DNPT" -> PrefixTranslation.action(target);
            case "SYNPROXY" -> Action.depending(Targets::synproxy);
            case "ECN" -> effect(target.option("ecn-ip-ect").map(o -> Integer.parseInt(o.arg()))
                    .<Action.Effect>map(ect -> f -> f.packet = f.packet.withTos((f.packet.tos() & ~3) | ect))
                    .orElse(Action.Effect.NONE));
            // What these change (a copy sent, a label, a timer, a TCP option) no rule of the trace reads.
            case "LOG", "NFLOG", "TRACE", "AUDIT", "CHECKSUM", "CLASSIFY", "TCPMSS", "SET", "TPROXY", "TEE", "SECMARK",
                 "CONNSECMARK", "IDLETIMER", "LED", "RATEEST", "TCPOPTSTRIP" ->
                    Action.of(Action.Kind.CONTINUE);
            default -> new Action(target.kind() == Target.Kind.GOTO ? Action.Kind.GOTO : Action.Kind.JUMP,
                    target.name(), Action.Effect.NONE);
        };
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

    private static Action effect(Action.Effect effect) {
        return new Action(Action.Kind.CONTINUE, null, effect);
    }

    private static String value(Target target, String option) {
        return target.option(option).map(Option::arg).orElseThrow(() -> new IllegalArgumentException(
                "-j " + target.name() + " without --" + option));
    }

    /** {@code --set-xmark V/M}: the value becomes {@code (old & ~M) ^ V}. */
    private static Action.Effect mark(Target target) {
        return xmark(target, "set-xmark", 0xffffffffL, (f, v) -> f.packet = f.packet.withMark(v));
    }

    private interface Setter {
        void set(Flow flow, long value);
    }

    private static Action.Effect xmark(Target target, String option, long allOnes, Setter setter) {
        long[] vm = Conditions.valueMask(value(target, option), allOnes);
        boolean tos = option.equals("set-tos");
        return f -> {
            long old = tos ? f.packet.tos() : f.packet.mark();
            setter.set(f, ((old & ~vm[1]) ^ vm[0]) & allOnes);
        };
    }

    private static Action.Effect connmark(Target target) {
        if (target.option("set-xmark").isPresent()) {
            long[] vm = Conditions.valueMask(value(target, "set-xmark"), 0xffffffffL);
            return f -> {
                if (f.tracked()) {
                    f.ctmark = ((f.ctmark & ~vm[1]) ^ vm[0]) & 0xffffffffL;
                }
            };
        }
        long nfmask = Long.decode(value(target, "nfmask"));
        long ctmask = Long.decode(value(target, "ctmask"));
        if (target.option("save-mark").isPresent()) {
            return f -> {
                if (f.tracked()) {
                    f.ctmark = ((f.ctmark & ~ctmask) ^ (f.packet.mark() & nfmask)) & 0xffffffffL;
                }
            };
        }
        return f -> {
            if (f.tracked()) {
                f.packet = f.packet.withMark(((f.packet.mark() & ~nfmask) ^ (f.ctmark & ctmask)) & 0xffffffffL);
            }
        };
    }

    private static Action.Effect hopLimit(Target target) {
        String prefix = target.name().toLowerCase(java.util.Locale.ROOT);
        for (String how : new String[] {"set", "dec", "inc"}) {
            java.util.Optional<Option> option = target.option(prefix + "-" + how);
            if (option.isPresent()) {
                int n = Integer.parseInt(option.get().arg());
                return switch (how) {
                    case "set" -> f -> f.packet = f.packet.withTtl(n);
                    case "dec" -> f -> f.packet = f.packet.withTtl(Math.max(0, f.packet.ttl() - n));
                    default -> f -> f.packet = f.packet.withTtl(Math.min(255, f.packet.ttl() + n));
                };
            }
        }
        throw new IllegalArgumentException("-j " + target.name() + " without a value");
    }
}
