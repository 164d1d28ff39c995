package io.rampart.cli;

import io.rampart.analysis.RulesetDiff;
import io.rampart.analysis.UnsupportedRulesetException;
import io.rampart.config.FamilyRuleset;
import io.rampart.model.Family;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Whether two rulesets decide every packet alike; where not, regions with a traced packet each. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Compare two rulesets over all packets.",
                "Exit 0 when they decide every packet alike, 3 when they differ, with up to --max regions of",
                "packets they decide differently, each with a counterexample packet (in trace's flags) traced",
                "through both, both verdicts and deciding rules.",
                "The filter table's INPUT, FORWARD and OUTPUT are compared; rulesets with rules in other",
                "tables, or targets that change packets, are refused."})
final class DiffCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "A", description = "The first ruleset file.")
    Path first;

    @Parameters(index = "1", paramLabel = "B", description = "The second ruleset file.")
    Path second;

    @Mixin
    KernelOptions options;

    @Option(names = "--max", paramLabel = "N", defaultValue = "5",
            description = "At most N differences (default ${DEFAULT-VALUE}).")
    int max;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (max < 1) {
            throw new InputException("--max " + max + ": give at least 1");
        }
        if (options.netns != null) {
            throw new InputException("--netns: diff compares ruleset files; the live ruleset is not one of its sides yet");
        }
        Family family = options.family();
        PrintWriter err = spec.commandLine().getErr();
        RulesetDiff.Result result;
        try {
            result = RulesetDiff.compare(side(first, family, err), side(second, family, err), max);
        } catch (UnsupportedRulesetException | IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(options.json ? Json.document(result) + "\n" : text(result));
        out.flush();
        return result.equivalent() ? ExitCode.OK : ExitCode.DRIFT;
    }

    private static RulesetDiff.Side side(Path file, Family family, PrintWriter err) {
        FamilyRuleset ruleset = RulesetFiles.familyRuleset(file, family, new NetnsValueResolver(Netns.host(ProcessRunner.system())), err);
        return new RulesetDiff.Side(file.toString(), ruleset.ruleset(), ruleset::location);
    }

    private String text(RulesetDiff.Result result) {
        if (result.equivalent()) {
            return "equivalent: " + first + " and " + second + " decide every packet alike (filter table)\n";
        }
        StringBuilder b = new StringBuilder();
        for (RulesetDiff.Difference d : result.differences()) {
            b.append(d.chain()).append(": ").append(d.region()).append(d.exact() ? "" : " (within these bounds)")
                    .append('\n');
            for (String condition : d.onlyIf()) {
                b.append("  only if ").append(condition).append('\n');
            }
            b.append("  ").append(first).append(": ").append(verdict(d.a())).append('\n');
            b.append("  ").append(second).append(": ").append(verdict(d.b())).append('\n');
            b.append("  e.g. rampart trace ").append(d.flags()).append(d.traced() ? " (traced)" : "").append('\n');
        }
        if (result.more()) {
            b.append("(more differences; raise --max to see them)\n");
        }
        return b.toString();
    }

    private static String verdict(RulesetDiff.Verdict v) {
        return v.verdict() + " by " + (v.rule() == 0 ? v.where() : v.where() + " (" + v.chain() + " rule " + v.rule() + ")");
    }
}
