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
        return written(tree(trace, explain, names), "a trace");
    }

    /**
     * What {@code explain-log} found, as one JSON line: {@code {"prefix", "rule", "candidates", "trace"}},
     * the LOG rules as {@code {"table", "chain", "rule", "text", "source"}} ({@code rule} null when no
     * rule on the packet's path wrote the line).
     */
    public static String explainLogLine(ExplainLog found, boolean explain, HostNames names) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("prefix", found.line().prefix());
        out.put("rule", found.writer() == null ? null : logRule(found.writer()));
        out.put("candidates", found.candidates().stream().map(TraceJson::logRule).toList());
        out.put("trace", tree(found.trace(), explain, names));
        return written(out, "what explain-log found");
    }

    /** The trace as a JSON tree, to embed in a larger document. */
    public static Map<String, Object> treeOf(Trace trace, boolean explain, HostNames names) {
        return tree(trace, explain, names);
    }

    /** A packet as one {@code --packets} JSON line. */
    public static String packetLine(Packet p, HostNames names) {
        return written(packet(p, names), "a packet");
    }

    private static String written(Map<String, Object> tree, String what) {
        try {
            return MAPPER.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + what + " as JSON", e);
        }
    }

    /** The keys every rule's object starts with, in this order; its own keys and {@code source} follow. */
    private static Map<String, Object> rule(String table, String chain, Integer rule, String text) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("table", table);
        out.put("chain", chain);
        out.put("rule", rule);
        out.put("text", text);
        return out;
    }

    static Map<String, Object> tree(Trace trace, boolean explain, HostNames names) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("verdict", trace.verdict());
        List<Object> steps = new ArrayList<>();
        for (Step step : trace.steps()) {
            Map<String, Object> s = rule(step.table(), step.chain(), step.rule(), step.text());
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
            Map<String, Object> undecided = rule(u.table(), u.chain(), u.rule(), u.text());
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
        Map<String, Object> out = rule(miss.table(), miss.chain(), miss.rule(), miss.text());
        out.put("failed", miss.failed());
        out.put("source", miss.source());
        return out;
    }

    private static Map<String, Object> logRule(CompiledRuleset.LogRule log) {
        Map<String, Object> out = rule(log.table(), log.chain(), log.rule(), log.text());
        out.put("source", log.source());
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
        if (p.ctMark() != 0) {
            out.put("ct_mark", p.ctMark());
        }
        if (p.ctNat() != 0) {
            out.put("ct_nat", Conntrack.natNames(p.ctNat()));
        }
        return out;
    }
}
