package io.rampart.model.extension;

/**
 * What a match means for a packet, as the tracer and the analysis read it: whether its options
 * test packet fields (each option's {@link Constraint}), whether it matches every packet, whether
 * chance or history decides it, or whether nothing outside the kernel can tell.
 */
public sealed interface MatchSemantics {

    /** A match nothing but the kernel can evaluate: {@code reason} says why (null: it is not modelled). */
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

    MatchSemantics ALWAYS = new Always();

    /** A match decided by earlier packets or the clock (limit, quota, time, ...). */
    MatchSemantics HISTORY = new Chance("depends on earlier packets or the clock", null);

    /** Why an option of a {@link Tests} match is not modelled: the words after its name. */
    String HEADERS_NOT_READ = "reads headers the tracer does not model";
    String HEADER_FIELD_NOT_READ = "reads a header field the tracer does not model";
    String CONNECTION_NOT_READ = "reads connection details the tracer does not model";
    String NOT_READ = "is not modelled by the tracer";

    static MatchSemantics opaque(String reason) {
        return new Opaque(reason);
    }

    static MatchSemantics chance(String why) {
        return new Chance(why, null);
    }

    /** Decided at random with the chance {@code probabilityOption} gives, else as {@code otherwise} says. */
    static MatchSemantics random(String probabilityOption, String otherwise) {
        return new Chance(otherwise, probabilityOption);
    }

    static MatchSemantics tests(String unmodelled) {
        return new Tests(-1, unmodelled);
    }

    static MatchSemantics testsHeader(int protocol, String unmodelled) {
        return new Tests(protocol, unmodelled);
    }
}
