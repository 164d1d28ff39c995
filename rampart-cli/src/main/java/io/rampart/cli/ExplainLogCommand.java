package io.rampart.cli;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.trace.CompiledRuleset;
import io.rampart.trace.ExplainLog;
import io.rampart.trace.LogLine;
import io.rampart.trace.TraceInputException;
import io.rampart.trace.TraceJson;
import io.rampart.trace.TraceText;
import io.rampart.trace.Tracer;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Finds the LOG rule that wrote a kernel log line and traces the packet the line describes. */
@Command(name = "explain-log", mixinStandardHelpOptions = true,
        description = {"Read a line the LOG target wrote (IN= OUT= SRC= DST= PROTO= SPT= DPT= ..., with or",
                "without the syslog, journal or dmesg prefix), find the LOG rule that wrote it by its",
                "--log-prefix, and trace the packet it describes. The family follows the line's addresses."})
final class ExplainLogCommand implements Callable<Integer> {

    @Mixin
    KernelOptions options;

    @Mixin
    TraceSourceOptions source;

    @Parameters(index = "0", paramLabel = "LINE", description = "The log line (quote it).")
    String line;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try {
            LogLine log = LogLine.parse(line);
            Family family = log.family();
            CompiledRuleset ruleset = source.ruleset(options, family, spec.commandLine().getErr());
            Tracer tracer = source.tracer(options, family, ruleset);
            ExplainLog result = ExplainLog.of(log, ruleset, tracer);
            PrintWriter out = spec.commandLine().getOut();
            out.print(options.json ? TraceJson.explainLogLine(result, source.explain, NameDatabase.system()) + "\n"
                    : text(result));
            out.flush();
            return ExitCode.OK;
        } catch (TraceInputException e) {
            throw new InputException("LINE: " + e.getMessage());
        }
    }

    private String text(ExplainLog r) {
        StringBuilder b = new StringBuilder();
        b.append("log prefix \"").append(r.line().prefix()).append("\"\n");
        if (r.writer() != null) {
            b.append("written by ").append(where(r.writer())).append('\n');
        } else if (r.candidates().isEmpty()) {
            b.append("no LOG rule in the ruleset has this prefix\n");
        } else {
            b.append("no LOG rule with this prefix is on the packet's traced path; rules with the prefix:\n");
            for (CompiledRuleset.LogRule c : r.candidates()) {
                b.append("  ").append(where(c)).append('\n');
            }
        }
        b.append("the packet: ").append(TraceJson.packetLine(r.packet(), NameDatabase.system())).append('\n');
        b.append(TraceText.render(r.trace(), source.explain));
        return b.toString();
    }

    private static String where(CompiledRuleset.LogRule rule) {
        return rule.table() + " " + rule.chain() + " rule " + rule.rule()
                + (rule.source() != null ? " (" + rule.source() + ")" : "") + ": " + rule.text();
    }
}
