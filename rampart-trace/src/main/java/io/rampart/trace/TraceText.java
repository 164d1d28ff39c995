package io.rampart.trace;

/** A trace for people: one line per step, where each rule was written, and the notes. */
public final class TraceText {

    private TraceText() {
    }

    public static String render(Trace trace, boolean explain) {
        StringBuilder b = new StringBuilder();
        for (Step step : trace.steps()) {
            if (explain) {
                for (Step.Miss miss : step.passed()) {
                    b.append("        ").append(miss.table()).append(' ').append(miss.chain()).append(" #")
                            .append(miss.rule()).append(" no match: ").append(miss.failed()).append("   [")
                            .append(miss.text()).append(']').append(where(miss.source())).append('\n');
                }
            }
            b.append(String.format("%-8s %-12s ", step.table(), step.chain()));
            if (step.isPolicy()) {
                b.append("policy   ").append(step.verdict()).append('\n');
                continue;
            }
            b.append(String.format("#%-7d %-12s %s", step.rule(), step.verdict(), step.text()))
                    .append(where(step.source())).append('\n');
        }
        if (trace.isUndecided()) {
            Trace.Undecided u = trace.undecided();
            b.append("undecided at ").append(u.table()).append(' ').append(u.chain()).append(" #").append(u.rule())
                    .append(": `").append(u.condition()).append("' (").append(u.why()).append("); ").append(u.hint())
                    .append("   [").append(u.text()).append(']').append(where(u.source())).append('\n');
        }
        for (String note : trace.notes()) {
            b.append("note: ").append(note).append('\n');
        }
        Packet p = trace.packet();
        b.append("verdict: ").append(trace.verdict()).append("   packet leaves as ").append(p.srcText());
        if (p.hasPorts()) {
            b.append(':').append(p.sport());
        }
        b.append(" -> ").append(p.dstText());
        if (p.hasPorts()) {
            b.append(':').append(p.dport());
        }
        b.append(" ttl ").append(p.ttl()).append(" mark 0x").append(Long.toHexString(p.mark()));
        if (p.out() != null) {
            b.append(" out ").append(p.out());
        }
        b.append('\n');
        int n = 0;
        for (Trace.Branch branch : trace.branches()) {
            b.append(String.format(java.util.Locale.ROOT, "%nbranch %d of %d, probability %.4g: %s%n", ++n,
                    trace.branches().size(), branch.probability(), String.join(", ", branch.choices())));
            b.append(render(branch.trace(), explain));
        }
        return b.toString();
    }

    private static String where(String source) {
        return source == null ? "" : "   [" + source + "]";
    }
}
