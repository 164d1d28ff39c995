package io.rampart.trace;

import java.util.List;

/**
 * The path of one packet: every step the kernel's trace would show, the final verdict, the packet
 * as it leaves (after NAT and mangling), and notes: assumptions made, and where the packet ended
 * outside the rules (no route, TTL expired, forwarding off). When the packet meets a rule with a
 * match the tracer cannot evaluate (and {@code --assume} does not choose for it), the trace stops
 * there: its verdict is {@value #UNDECIDED} and {@code undecided} names the rule.
 */
public record Trace(String verdict, List<Step> steps, Packet packet, List<String> notes, List<Branch> branches,
                    Undecided undecided) {

    /** The verdict of a trace that stopped at a rule it could not decide. */
    public static final String UNDECIDED = "UNDECIDED";

    /**
     * The rule a trace stopped at.
     *
     * @param condition the match it could not evaluate, e.g. {@code -m osf --genre Linux}, or the target
     *                  whose effect it cannot tell, e.g. {@code -j HMARK}
     * @param extension the extension {@code --assume} names to decide it, null for a header option
     * @param why why the tracer cannot evaluate it
     * @param source where the rule was written, null for a rule of the live ruleset
     */
    public record Undecided(String table, String chain, int rule, String text, String condition, String extension,
                            String why, String source) {

        /** Whether the rule matched and only what its target does is unknown (a queue, TPROXY, HMARK ...). */
        public boolean atTarget() {
            return extension == null && condition.startsWith("-j ");
        }

        /** How to go on: the {@code --assume} that decides this rule, or that nothing can. */
        public String hint() {
            return extension == null ? "no --assume decides " + (atTarget() ? "what a target does"
                    : "a header option")
                    : "--assume " + extension + "=match or " + extension + "=nomatch decides it";
        }
    }

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
        this(verdict, steps, packet, notes, List.of(), null);
    }

    /** Whether the trace stopped at a rule it could not decide. */
    public boolean isUndecided() {
        return undecided != null;
    }
}
