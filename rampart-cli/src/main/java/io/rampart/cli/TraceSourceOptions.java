package io.rampart.cli;

import io.rampart.model.Family;
import io.rampart.trace.Assumptions;
import io.rampart.trace.CompiledRuleset;
import io.rampart.trace.TraceInputException;
import io.rampart.trace.Tracer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Where trace and explain-log find the ruleset and host, and how they report: shared by both. */
final class TraceSourceOptions {

    @Option(names = "--rules", paramLabel = "FILE", description = {"Trace through this ruleset file (iptables-save"
            + " text or the Rampart language), not the live one. Its @addr/@host values are looked up in --netns NS,"
            + " or on this host without it."})
    Path rules;

    @Option(names = "--host", paramLabel = "FILE",
            description = "Addresses, routes and ip_forward of the host (JSON), for --rules"
                    + " (default: the host of --netns NS when given, else an unknown host).")
    Path hostFile;

    @Option(names = "--explain", description = "For each rule that did not match, the first condition that failed.")
    boolean explain;

    @Option(names = "--assume", paramLabel = "NAME=match|nomatch",
            description = "What to assume for a match the tracer cannot decide (limit, statistic, set, ...).")
    List<String> assume = new ArrayList<>();

    /** The file's rules of {@code family}, read through the language (warnings to {@code err}), or the live ones. */
    CompiledRuleset ruleset(KernelOptions options, Family family, PrintWriter err) {
        if (hostFile != null && rules == null) {
            throw new InputException("--host goes with --rules; the live host describes itself");
        }
        return TraceCommand.ruleset(options, rules, family, err);
    }

    /** A tracer over {@code ruleset} and the file's host, or the live host of the namespace. */
    Tracer tracer(KernelOptions options, Family family, CompiledRuleset ruleset) throws TraceInputException {
        return new Tracer(ruleset, TraceCommand.host(options, rules, hostFile, family), Assumptions.parse(assume),
                explain);
    }
}
