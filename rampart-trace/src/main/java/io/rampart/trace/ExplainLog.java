package io.rampart.trace;

import java.util.ArrayList;
import java.util.List;

/**
 * Which LOG rule wrote a log line, and the trace of the packet the line describes. The rule is
 * found by its {@code --log-prefix}; among several rules with that prefix, the one on the
 * packet's traced path. The line shows the packet as it was at the LOG rule's hook (after any
 * NAT or TTL change before it); the trace starts it at its first hook with those values.
 *
 * @param candidates the LOG rules with the line's prefix (all prefix-less LOG rules for a line without one)
 * @param writer the candidate the traced packet passes, or null
 */
public record ExplainLog(LogLine line, Packet packet, List<CompiledRuleset.LogRule> candidates,
                         CompiledRuleset.LogRule writer, Trace trace) {

    public static ExplainLog of(LogLine line, CompiledRuleset ruleset, Tracer tracer) throws TraceInputException {
        if (line.family() != ruleset.family()) {
            throw new TraceInputException("the LOG line is " + (line.family().addressBits() == 32 ? "IPv4" : "IPv6")
                    + " but the ruleset is not (give " + (line.family().addressBits() == 32 ? "-4" : "-6") + ")");
        }
        Packet packet = line.packet().build(line.family());
        List<CompiledRuleset.LogRule> candidates = new ArrayList<>();
        for (CompiledRuleset.LogRule rule : ruleset.logRules()) {
            if (samePrefix(rule.prefix(), line.prefix())) {
                candidates.add(rule);
            }
        }
        Trace trace = tracer.trace(packet);
        CompiledRuleset.LogRule writer = null;
        for (Step step : trace.steps()) {
            for (CompiledRuleset.LogRule c : candidates) {
                if (writer == null && !step.isPolicy() && c.table().equals(step.table())
                        && c.chain().equals(step.chain()) && c.rule() == step.rule()) {
                    writer = c;
                }
            }
        }
        return new ExplainLog(line, packet, List.copyOf(candidates), writer, trace);
    }

    /** Syslog may drop the prefix's trailing blanks when nothing precedes it; compare without them. */
    private static boolean samePrefix(String rule, String logged) {
        return rule.stripTrailing().equals(logged.stripTrailing());
    }
}
