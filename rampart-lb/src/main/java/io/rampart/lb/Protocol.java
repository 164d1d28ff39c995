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

    /**
     * The match for a destination port. dccp has its own match in iptables, but Rampart's rule model
     * has none, so dccp uses multiport, which the kernel accepts for it as well.
     */
    public String destinationPort(int port) {
        return this == DCCP ? "-p dccp -m multiport --dports " + port : "-p " + label() + " -m " + label()
                + " --dport " + port;
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
