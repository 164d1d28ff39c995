package io.rampart.trace;

import io.rampart.model.Option;
import io.rampart.model.extension.PacketField;
import io.rampart.model.value.Network;
import io.rampart.model.value.NumberValue;
import io.rampart.model.value.Range;
import io.rampart.model.value.ValueMask;
import io.rampart.model.value.WordSet;

/** Conditions on the packet's connection: its state, mark, protocol, tuples and direction. */
final class ConnConditions {

    private ConnConditions() {
    }

    static Condition of(PacketField field, Option o, String text, String ext) {
        boolean neg = o.negated();
        return switch (field) {
            case CT_STATE -> {
                WordSet states = (WordSet) o.value();
                yield Conditions.check(text, ext, f -> MatchResult.of(states.words().stream().anyMatch(s -> inState(f, s)))
                        .negatedIf(neg));
            }
            case CT_MARK -> {
                ValueMask mark = (ValueMask) o.value();
                yield Conditions.check(text, ext, f -> f.tracked() ? MatchResult.of(mark.matches(f.ctmark)).negatedIf(neg)
                        : MatchResult.NO_MATCH);
            }
            case CT_PROTOCOL -> {
                long proto = ((NumberValue) o.value()).value();
                yield tracked(text, ext, f -> f.original.proto() == proto, neg);
            }
            case CT_ORIGINAL_SOURCE, CT_ORIGINAL_DESTINATION, CT_REPLY_SOURCE, CT_REPLY_DESTINATION -> {
                Network net = (Network) o.value();
                yield tracked(text, ext, f -> net.contains(tupleAddress(f, field)), neg);
            }
            case CT_DIRECTION -> {
                boolean original = o.arg().equals("ORIGINAL");
                yield Conditions.check(text, ext, f -> !f.tracked() ? MatchResult.NO_MATCH
                        : f.state == CtState.NEW ? MatchResult.of(original) : MatchResult.UNKNOWN);
            }
            default -> {
                Range range = (Range) o.value();
                yield tracked(text, ext, f -> range.contains(tuplePort(f, field)), neg);
            }
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
    private static byte[] tupleAddress(Flow f, PacketField field) {
        return switch (field) {
            case CT_ORIGINAL_SOURCE -> f.original.srcBytes();
            case CT_ORIGINAL_DESTINATION -> f.original.dstBytes();
            case CT_REPLY_SOURCE -> f.packet.dstBytes();
            default -> f.packet.srcBytes();
        };
    }

    private static int tuplePort(Flow f, PacketField field) {
        return switch (field) {
            case CT_ORIGINAL_SOURCE_PORT -> f.original.sport();
            case CT_ORIGINAL_DESTINATION_PORT -> f.original.dport();
            case CT_REPLY_SOURCE_PORT -> f.packet.dport();
            default -> f.packet.sport();
        };
    }
}
