package io.rampart.model.extension;

/**
 * What a match means for a packet, as the tracer and the analysis read it: whether its options
 * test packet fields (each option's {@link Constraint}), whether it matches every packet, whether
 * chance or history decides it, or whether nothing outside the kernel can tell.
 */
public sealed interface MatchSemantics {

    /** A match that cannot be evaluated from the packet, the host and the rules: {@code reason} says why (null: not modelled). */
    record Opaque(String reason) implements MatchSemantics {
    }

    /** A match every packet passes: a note, a counter. */
    record Always() implements MatchSemantics {
    }

    /**
     * A match decided by earlier packets, the clock or chance, which a trace assumes true: {@code why}
     * says so, unless {@code probabilityOption} is given, whose value is the chance each packet matches.
     */
    record Chance(String why, String probabilityOption) implements MatchSemantics {
    }

    /**
     * A match whose options each test a field ({@link OptionSpec#constraint()}); an option without a
     * constraint {@code unmodelled} (e.g. "reads headers the tracer does not model"). With a
     * {@code header} protocol number (-1: none) the match first needs that header, announced by
     * the packet's protocol, and fails without it, negated options too.
     */
    record Tests(int header, String unmodelled) implements MatchSemantics {
    }

    MatchSemantics NOT_MODELLED = new Opaque(null);
}
