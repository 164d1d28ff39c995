package io.rampart.model.value;

/**
 * The ports of a NAT target: a range printed {@code LOW-HIGH} ({@code N} alone when both agree),
 * then {@code /BASE} when the rule has a base port ({@code base} -1: none); SNAT and MASQUERADE
 * keep only that there was one, as {@code /0}.
 */
public record NatPorts(Range ports, long base) implements Value {

    @Override
    public String text() {
        String range = ports.low() == ports.high() ? Long.toString(ports.low()) : ports.low() + "-" + ports.high();
        return base < 0 ? range : range + "/" + base;
    }

    /** Reads a canonical {@code LOW[-HIGH][/BASE]}. */
    public static NatPorts parse(String canonical) {
        int slash = canonical.indexOf('/');
        String range = slash < 0 ? canonical : canonical.substring(0, slash);
        int dash = range.indexOf('-');
        long low = Long.parseLong(dash < 0 ? range : range.substring(0, dash));
        long high = dash < 0 ? low : Long.parseLong(range.substring(dash + 1));
        return new NatPorts(new Range(low, high), slash < 0 ? -1 : Long.parseLong(canonical.substring(slash + 1)));
    }
}
