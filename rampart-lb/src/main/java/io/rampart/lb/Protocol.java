package io.rampart.lb;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The transport protocols DNAT can balance by port. */
public enum Protocol {
    TCP, UDP, SCTP, DCCP;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Protocol parse(String text, String what) throws LbException {
        for (Protocol protocol : values()) {
            if (protocol.label().equals(text)) {
                return protocol;
            }
        }
        throw new LbException(what + ": unknown protocol `" + text + "': use "
                + Arrays.stream(values()).map(Protocol::label).collect(Collectors.joining(", ")));
    }
}
