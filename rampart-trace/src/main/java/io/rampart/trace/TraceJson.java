package io.rampart.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.model.extension.NameDatabase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trace as JSON: {@code {"verdict", "steps": [{"table", "chain", "rule", "text", "verdict"}],
 * "packet", "notes"}}, the packet with the keys a {@code --packets} line takes.
 */
public final class TraceJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TraceJson() {
    }

    public static String line(Trace trace, boolean explain) {
        try {
            return MAPPER.writeValueAsString(tree(trace, explain));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a trace as JSON", e);
        }
    }

    /** The trace as a JSON tree, to embed in a larger document. */
    public static Map<String, Object> treeOf(Trace trace, boolean explain) {
        return tree(trace, explain);
    }

    /** A packet as one {@code --packets} JSON line. */
    public static String packetLine(Packet p) {
        try {
            return MAPPER.writeValueAsString(packet(p));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a packet as JSON", e);
        }
    }

    static Map<String, Object> tree(Trace trace, boolean explain) {
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
            if (explain) {
                s.put("passed", step.passed().stream().map(m -> Map.of("table", m.table(), "chain", m.chain(),
                        "rule", m.rule(), "text", m.text(), "failed", m.failed())).toList());
            }
            steps.add(s);
        }
        out.put("steps", steps);
        out.put("packet", packet(trace.packet()));
        out.put("notes", trace.notes());
        if (!trace.branches().isEmpty()) {
            List<Object> branches = new ArrayList<>();
            for (Trace.Branch branch : trace.branches()) {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("probability", branch.probability());
                b.put("choices", branch.choices());
                b.putAll(tree(branch.trace(), explain));
                branches.add(b);
            }
            out.put("branches", branches);
        }
        return out;
    }

    static Map<String, Object> packet(Packet p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("in", p.in());
        out.put("out", p.out());
        out.put("local", p.local());
        out.put("src", p.srcText());
        out.put("dst", p.dstText());
        out.put("proto", NameDatabase.system().protocolName(p.proto()));
        if (p.hasPorts()) {
            out.put("sport", p.sport());
            out.put("dport", p.dport());
        }
        if (p.proto() == Packet.TCP) {
            out.put("tcp_flags", PacketConditions.flagNames(p.tcpFlags()));
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
