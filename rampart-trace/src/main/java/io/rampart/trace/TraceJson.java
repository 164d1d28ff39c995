package io.rampart.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.model.extension.HostNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trace as JSON: {@code {"verdict", "steps": [{"table", "chain", "rule", "text", "verdict", "source"}],
 * "packet", "notes"}}, the packet with the keys a {@code --packets} line takes; {@code source} is the
 * rule's {@code file:line}, null for a policy or a rule of the live ruleset. A trace that stopped at a
 * rule it could not decide has the verdict {@code UNDECIDED} and {@code "undecided": {"table", "chain",
 * "rule", "text", "condition", "extension", "why", "source"}}.
 */
public final class TraceJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TraceJson() {
    }

    /** The trace as one JSON line, the packet's protocol by the name {@code names} give it (as iptables-save prints it). */
    public static String line(Trace trace, boolean explain, HostNames names) {
        try {
            return MAPPER.writeValueAsString(tree(trace, explain, names));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a trace as JSON", e);
        }
    }

    /** The trace as a JSON tree, to embed in a larger document. */
    public static Map<String, Object> treeOf(Trace trace, boolean explain, HostNames names) {
        return tree(trace, explain, names);
    }

    /** A packet as one {@code --packets} JSON line. */
    public static String packetLine(Packet p, HostNames names) {
        try {
            return MAPPER.writeValueAsString(packet(p, names));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a packet as JSON", e);
        }
    }

    static Map<String, Object> tree(Trace trace, boolean explain, HostNames names) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("verdict", trace.verdict());
        List<Object> steps = new ArrayList<>();
        for (Step step : trace.steps()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("table", step.table());
            s.put("chain", step.chain());
            s.put("rule", step.rule());
            s.put("text", step.text());
            s.put("verdict", step.verdict());
            s.put("source", step.source());
            if (explain) {
                s.put("passed", step.passed().stream().map(TraceJson::miss).toList());
            }
            steps.add(s);
        }
        out.put("steps", steps);
        out.put("packet", packet(trace.packet(), names));
        out.put("notes", trace.notes());
        if (trace.isUndecided()) {
            Trace.Undecided u = trace.undecided();
            Map<String, Object> undecided = new LinkedHashMap<>();
            undecided.put("table", u.table());
            undecided.put("chain", u.chain());
            undecided.put("rule", u.rule());
            undecided.put("text", u.text());
            undecided.put("condition", u.condition());
            undecided.put("extension", u.extension());
            undecided.put("why", u.why());
            undecided.put("source", u.source());
            out.put("undecided", undecided);
        }
        if (!trace.branches().isEmpty()) {
            List<Object> branches = new ArrayList<>();
            for (Trace.Branch branch : trace.branches()) {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("probability", branch.probability());
                b.put("choices", branch.choices());
                b.putAll(tree(branch.trace(), explain, names));
                branches.add(b);
            }
            out.put("branches", branches);
        }
        return out;
    }

    private static Map<String, Object> miss(Step.Miss miss) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("table", miss.table());
        out.put("chain", miss.chain());
        out.put("rule", miss.rule());
        out.put("text", miss.text());
        out.put("failed", miss.failed());
        out.put("source", miss.source());
        return out;
    }

    static Map<String, Object> packet(Packet p, HostNames names) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("in", p.in());
        out.put("out", p.out());
        out.put("local", p.local());
        out.put("src", p.srcText());
        out.put("dst", p.dstText());
        out.put("proto", names.protocolName(p.proto()));
        if (p.hasPorts()) {
            out.put("sport", p.sport());
            out.put("dport", p.dport());
        }
        if (p.proto() == Packet.TCP) {
            out.put("tcp_flags", PacketConditions.flagNames(p.tcpFlags()));
        }
        if (p.hasSpi()) {
            out.put("spi", p.spi());
        }
        if (p.isIcmp()) {
            out.put("icmp_type", p.icmpType() + "/" + p.icmpCode());
        }
        out.put("ttl", p.ttl());
        out.put("tos", p.tos());
        out.put("length", p.length());
        out.put("mark", p.mark());
        out.put("ct_state", p.ctState() == null ? null : p.ctState().name());
        return out;
    }
}
