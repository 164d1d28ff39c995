package io.rampart.trace;

import io.rampart.model.Family;
import io.rampart.model.Option;
import java.util.List;

/** Conditions on the packet's mark and its connection: conntrack, state, connmark, mark. */
final class ConnConditions {

    private ConnConditions() {
    }

    static Condition of(String ext, Option o, String text, Family family) {
        boolean neg = o.negated();
        return switch (o.name()) {
            case "ctstate", "state" -> {
                List<String> states = List.of(o.arg().split(","));
                yield Conditions.check(text, ext, f -> MatchResult.of(states.stream().anyMatch(s -> inState(f, s)))
                        .negatedIf(neg));
            }
            case "mark" -> {
                long[] vm = Conditions.valueMask(o.arg(), 0xffffffffL);
                boolean connection = ext.equals("connmark");
                yield Conditions.check(text, ext, f -> {
                    if (connection && !f.tracked()) {
                        return MatchResult.NO_MATCH;
                    }
                    long mark = connection ? f.ctmark : f.packet.mark();
                    return MatchResult.of((mark & vm[1]) == vm[0]).negatedIf(neg);
                });
            }
            case "ctproto" -> {
                int proto = Integer.parseInt(o.arg());
                yield tracked(text, ext, f -> f.original.proto() == proto, neg);
            }
            case "ctorigsrc", "ctorigdst", "ctreplsrc", "ctrepldst" -> {
                Network net = Network.parse(o.arg(), family);
                String n = o.name();
                yield tracked(text, ext, f -> net.contains(tupleAddress(f, n)), neg);
            }
            case "ctorigsrcport", "ctorigdstport", "ctreplsrcport", "ctrepldstport" -> {
                int[] r = Conditions.range(o.arg());
                String n = o.name();
                yield tracked(text, ext, f -> Conditions.within(tuplePort(f, n), r), neg);
            }
            case "ctdir" -> Conditions.check(text, ext, f -> !f.tracked() ? MatchResult.NO_MATCH
                    : f.state == CtState.NEW ? MatchResult.of(o.arg().equals("ORIGINAL")) : MatchResult.UNKNOWN);
            default -> new Condition.Unknown(text, ext, "--" + o.name()
                    + " reads connection details the tracer does not model");
        };
    }

    private static Condition tracked(String text, String ext, java.util.function.Predicate<Flow> p, boolean neg) {
        return Conditions.check(text, ext, f -> f.tracked() ? MatchResult.of(p.test(f)).negatedIf(neg) : MatchResult.NO_MATCH);
    }

    private static boolean inState(Flow f, String state) {
        // Before conntrack (the raw table) a packet has no connection, which the match reads as INVALID.
        return switch (state) {
            case "SNAT" -> f.tracked() && f.snat;
            case "DNAT" -> f.tracked() && f.dnat;
            default -> (f.state == null ? CtState.INVALID : f.state).name().equals(state);
        };
    }

    /**
     * The connection's tuples as the first packet made them: the original direction is the packet
     * as it arrived, the reply direction swaps the addresses NAT left it with.
     */
    private static byte[] tupleAddress(Flow f, String name) {
        return switch (name) {
            case "ctorigsrc" -> f.original.srcBytes();
            case "ctorigdst" -> f.original.dstBytes();
            case "ctreplsrc" -> f.packet.dstBytes();
            default -> f.packet.srcBytes();
        };
    }

    private static int tuplePort(Flow f, String name) {
        return switch (name) {
            case "ctorigsrcport" -> f.original.sport();
            case "ctorigdstport" -> f.original.dport();
            case "ctreplsrcport" -> f.packet.dport();
            default -> f.packet.sport();
        };
    }
}
