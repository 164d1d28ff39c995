package io.rampart.trace;

import java.util.List;

/**
 * The path of one packet: every step the kernel's trace would show, the final verdict, the packet
 * as it leaves (after NAT and mangling), and notes: assumptions made, and where the packet ended
 * outside the rules (no route, TTL expired, forwarding off).
 */
public record Trace(String verdict, List<Step> steps, Packet packet, List<String> notes) {

    public Trace {
        steps = List.copyOf(steps);
        notes = List.copyOf(notes);
    }
}
