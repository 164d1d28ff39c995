package io.rampart.model;

/** The address family a ruleset belongs to: iptables (IPv4) or ip6tables (IPv6). */
public enum Family {
    IPV4("iptables", 32),
    IPV6("ip6tables", 128);

    private final String command;
    private final int addressBits;

    Family(String command, int addressBits) {
        this.command = command;
        this.addressBits = addressBits;
    }

    /** The name of the iptables binary for this family, e.g. {@code ip6tables}. */
    public String command() {
        return command;
    }

    public int addressBits() {
        return addressBits;
    }

    /** The marker iptables accepts for this family on a rule line: {@code -4} or {@code -6}. */
    public String marker() {
        return this == IPV4 ? "-4" : "-6";
    }
}
