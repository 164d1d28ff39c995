package io.rampart.model.value;

import java.util.List;

/**
 * A set of bit flags (TCP's FIN, SYN, ...): bit {@code i} is {@code names.get(i)}; printed as the
 * set names in bit order, comma-separated, or {@code none} when no bit is set.
 */
public record FlagSet(int bits, List<String> names, String none) implements Value {

    /** TCP's flags by bit, in the order iptables-save prints them. */
    public static final List<String> TCP = List.of("FIN", "SYN", "RST", "PSH", "ACK", "URG");

    public FlagSet {
        names = List.copyOf(names);
    }

    /** Reads canonical names (or {@code none}) against {@code names}. */
    public static FlagSet parse(String canonical, List<String> names, String none) {
        int bits = 0;
        if (!canonical.equals(none)) {
            for (String name : canonical.split(",")) {
                int index = names.indexOf(name);
                if (index < 0) {
                    throw new IllegalArgumentException("not a flag: " + name);
                }
                bits |= 1 << index;
            }
        }
        return new FlagSet(bits, names, none);
    }

    @Override
    public String text() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            if ((bits & (1 << i)) != 0) {
                b.append(b.length() == 0 ? "" : ",").append(names.get(i));
            }
        }
        return b.length() == 0 ? none : b.toString();
    }
}
