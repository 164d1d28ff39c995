package io.rampart.model.value;

/**
 * An ICMP or ICMPv6 type, with one code or any ({@code code} -1), or {@code any} type ({@code type}
 * -1): printed {@code any}, {@code TYPE} or {@code TYPE/CODE}.
 */
public record IcmpType(int type, int code) implements Value {

    public static final IcmpType ANY = new IcmpType(-1, -1);

    public static IcmpType parse(String canonical) {
        if (canonical.equals("any")) {
            return ANY;
        }
        int slash = canonical.indexOf('/');
        return slash < 0 ? new IcmpType(Integer.parseInt(canonical), -1)
                : new IcmpType(Integer.parseInt(canonical.substring(0, slash)),
                        Integer.parseInt(canonical.substring(slash + 1)));
    }

    public boolean any() {
        return type < 0;
    }

    @Override
    public String text() {
        return any() ? "any" : code < 0 ? Integer.toString(type) : type + "/" + code;
    }
}
