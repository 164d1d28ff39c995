package io.rampart.cli;

import io.rampart.analysis.Expectations;
import io.rampart.analysis.RulesetDiff;
import io.rampart.config.FamilyRuleset;
import io.rampart.model.Family;
import io.rampart.system.Netns;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Proves or refutes each expectation of a file against a ruleset, over every packet it names. */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = {"Prove or refute each expectation of EXPECT (docs/expectations.md) against",
                "a ruleset. RULES is a ruleset file, or `live' for the kernel's (of --netns NS,",
                "which alone also means it), or `live@NS' for namespace NS's; the kernel's",
                "rules are named by place, live:filter/INPUT#3. Each expectation passes, fails",
                "with a counterexample packet (in trace's flags, traced through the ruleset),",
                "or is unknown when the answer hangs on a match the analysis does not model.",
                "Exit 0 when all pass, 3 when any fails or is unknown, 1 for a wrong file."})
final class TestCommand implements Callable<Integer> {

    @Parameters(arity = "1..2", paramLabel = "RULES EXPECT",
            description = "The ruleset file (or `live') and the expectations file; with --netns, EXPECT alone.")
    List<String> files;

    @Mixin
    KernelOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (files.size() == 1 && options.netns == null) {
            throw new InputException("give RULES and EXPECT, or --netns NS and EXPECT to test the live ruleset");
        }
        String rules = files.size() == 1 ? LiveSide.WORD : files.get(0);
        Path expect = Path.of(files.get(files.size() - 1));
        Family family = options.family();
        PrintWriter err = spec.commandLine().getErr();
        Expectations expectations = ExpectationFiles.read(expect, family);
        RulesetDiff.Side side = LiveSide.isLive(rules)
                ? LiveSide.read(rules.equals(LiveSide.WORD) ? options.netns : LiveSide.namespaceOf(rules), family)
                : file(Path.of(rules), family, err);
        ExpectationFiles.Report report = ExpectationFiles.prove(expectations, side);
        PrintWriter out = spec.commandLine().getOut();
        out.print(options.json ? Json.document(report) + "\n" : ExpectationFiles.text(report));
        out.flush();
        return report.passed() ? ExitCode.OK : ExitCode.DRIFT;
    }

    /** The file's rules of {@code family}; apply-time values are looked up in --netns NS, or on this host. */
    private RulesetDiff.Side file(Path rules, Family family, PrintWriter err) {
        try (Netns netns = options.namespace()) {
            FamilyRuleset ruleset = RulesetFiles.familyRuleset(rules, family, new NetnsValueResolver(netns), err);
            return new RulesetDiff.Side(rules.toString(), ruleset.ruleset(), ruleset::location);
        }
    }
}
