package io.rampart.cli;

import io.rampart.model.Family;
import io.rampart.trace.Assumptions;
import io.rampart.trace.CompiledRuleset;
import io.rampart.trace.TraceInputException;
import io.rampart.trace.Tracer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Where trace and explain-log find the ruleset and host, and how they report: shared by both. */
final class TraceSourceOptions {

    @Option(names = "--rules", paramLabel = "FILE", description = "Trace through this ruleset file, not the live one.")
    Path rules;

    @Option(names = "--host", paramLabel = "FILE",
            description = "Addresses, routes and ip_forward of the host (JSON), for --rules.")
    Path hostFile;

    @Option(names = "--explain", description = "For each rule that did not match, the first condition that failed.")
    boolean explain;

    @Option(names = "--assume", paramLabel = "NAME=match|nomatch",
            description = "What to assume for a match the tracer cannot decide (limit, statistic, set, ...).")
    List<String> assume = new ArrayList<>();

    /** The file's ruleset, or the live one of the namespace. */
    CompiledRuleset ruleset(KernelOptions options, Family family) {
        if (rules != null && options.netns != null) {
            throw new InputException("--rules and --netns exclude each other: use a file or a namespace");
        }
        if (hostFile != null && rules == null) {
            throw new InputException("--host goes with --rules; the live host describes itself");
        }
        return TraceCommand.ruleset(options, rules, family);
    }

    /** A tracer over {@code ruleset} and the file's host, or the live host of the namespace. */
    Tracer tracer(KernelOptions options, Family family, CompiledRuleset ruleset) throws TraceInputException {
        return new Tracer(ruleset, TraceCommand.host(options, rules, hostFile, family), Assumptions.parse(assume),
                explain);
    }

    /** The ruleset file's name for {@code file:line} references, or null for the live ruleset. */
    String file() {
        return rules == null ? null : rules.toString();
    }
}
