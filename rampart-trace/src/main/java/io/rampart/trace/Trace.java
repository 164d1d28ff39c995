package io.rampart.trace;

import java.util.List;

/**
 * The path of one packet: every step the kernel's trace would show, the final verdict, the packet
 * as it leaves (after NAT and mangling), and notes: assumptions made, and where the packet ended
 * outside the rules (no route, TTL expired, forwarding off).
 */
public record Trace(String verdict, List<Step> steps, Packet packet, List<String> notes, List<Branch> branches) {

    /**
     * One way through the random statistic splits the packet meets (when {@code --assume} does
     * not choose): its probability, the splits' outcomes, and the trace along it.
     *
     * @param choices for each split met, {@code "table chain rule N matches"} or {@code "... does not match"}
     */
    public record Branch(double probability, List<String> choices, Trace trace) {

        public Branch {
            choices = List.copyOf(choices);
        }
    }

    public Trace {
        steps = List.copyOf(steps);
        notes = List.copyOf(notes);
        branches = List.copyOf(branches);
    }

    public Trace(String verdict, List<Step> steps, Packet packet, List<String> notes) {
        this(verdict, steps, packet, notes, List.of());
    }
}
