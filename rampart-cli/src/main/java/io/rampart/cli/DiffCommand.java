package io.rampart.cli;

import io.rampart.analysis.RulesetDiff;
import io.rampart.analysis.UnsupportedRulesetException;
import io.rampart.config.FamilyRuleset;
import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.system.Netns;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
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
                "Exit 0 when they decide every packet alike, 3 when they differ, with up to",
                "--max regions of packets they decide differently, each with a counterexample",
                "packet (in trace's flags) traced through both, both verdicts and deciding rules.",
                "A side is a ruleset file, `live' for the kernel's ruleset (of --netns NS, or",
                "of this host), or `live@NS' for namespace NS's; --netns NS in place of a side",
                "also means NS's. The kernel's rules are named by their place:",
                "live@NS:filter/INPUT#3 is the third rule of filter's INPUT.",
                "Packets are followed on the INPUT, FORWARD and OUTPUT paths through raw,",
                "mangle, nat, filter and security in the kernel's order, with the marks,",
                "NAT and other changes rules make; a difference that hangs on a match the",
                "analysis does not model says so (`only if ... matches')."})
final class DiffCommand implements Callable<Integer> {

    @Parameters(arity = "1..2", paramLabel = "A B", description = "The two rulesets: files, `live' or `live@NS';"
            + " with --netns NS, one of them may be left out for NS's live ruleset, on the side --netns is written.")
    List<String> sides;

    @Mixin
    KernelOptions options;

    @Option(names = "--max", paramLabel = "N", defaultValue = "5",
            description = "At most N differences (default ${DEFAULT-VALUE}).")
    int max;

    @Spec
    CommandSpec spec;

    /** The sides' names as the text output prints them. */
    private String first;
    private String second;

    @Override
    public Integer call() {
        if (max < 1) {
            throw new InputException("--max " + max + ": give at least 1");
        }
        List<String> named = sidesInOrder();
        first = named.get(0);
        second = named.get(1);
        Family family = options.family();
        PrintWriter err = spec.commandLine().getErr();
        RulesetDiff.Result result;
        try {
            RulesetDiff.Side a = sideOfFamily(first, family, err, null);
            result = RulesetDiff.compare(a, sideOfFamily(second, family, err, first), max, NameDatabase.system());
        } catch (UnsupportedRulesetException | IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(options.json ? Json.document(result) + "\n" : text(result));
        out.flush();
        return result.equivalent() ? ExitCode.OK : ExitCode.DRIFT;
    }

    /**
     * A and B as written: two sides, or one and --netns NS standing for NS's live ruleset where it was
     * written on the command line (before the side: A, after it: B).
     */
    private List<String> sidesInOrder() {
        if (sides.size() == 2) {
            return sides.stream().map(side -> side.equals(LiveSide.WORD) ? LiveSide.name(options.netns) : side)
                    .toList();
        }
        if (options.netns == null) {
            throw new InputException("give two rulesets A and B (files, `live' or `live@NS'), or one and --netns NS");
        }
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        int netns = args.indexOf(args.stream().filter(a -> a.equals("--netns") || a.startsWith("--netns="))
                .findFirst().orElseThrow());
        int side = args.lastIndexOf(sides.get(0));
        String live = LiveSide.name(options.netns);
        return netns < side ? List.of(live, sides.get(0)) : List.of(sides.get(0), live);
    }

    /**
     * A side of {@code family}; a file with tables for the other family only is a ruleset of another family
     * than {@code other}'s (already read for {@code family}), or than -4/-6 says when it is the first.
     */
    private RulesetDiff.Side sideOfFamily(String name, Family family, PrintWriter err, String other) {
        try {
            return side(name, family, err);
        } catch (io.rampart.system.agent.InvalidFileException e) {
            if (e.getMessage() == null || !e.getMessage().contains("(its tables are for ")) {
                throw e;
            }
            throw new InputException(e.getMessage() + (other != null ? ", but " + other + " is for "
                    + family.command() + ": rulesets of different families cannot be compared"
                    : ": diff compares " + family.command() + " rulesets unless -4 or -6 says which family"));
        }
    }

    /**
     * A side: a live ruleset (`live' of this host, `live@NS' of NS), or a file whose apply-time values are
     * looked up in --netns NS, or on this host.
     */
    private RulesetDiff.Side side(String name, Family family, PrintWriter err) {
        if (LiveSide.isLive(name)) {
            return LiveSide.read(LiveSide.namespaceOf(name), family);
        }
        try (Netns netns = options.namespace()) {
            FamilyRuleset ruleset = RulesetFiles.familyRuleset(Path.of(name), family, new NetnsValueResolver(netns),
                    err);
            return new RulesetDiff.Side(name, ruleset.ruleset(), ruleset::location);
        }
    }

    private String text(RulesetDiff.Result result) {
        if (result.equivalent()) {
            return "equivalent: " + title(first) + " and " + title(second) + " decide every packet alike\n";
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

    /** A side as the sentence names it: a file by its name, the kernel's ruleset in words. */
    private String title(String side) {
        if (!LiveSide.isLive(side)) {
            return side;
        }
        String netns = LiveSide.namespaceOf(side);
        return netns == null ? "the live ruleset" : "the live ruleset of " + netns;
    }

    private static String verdict(RulesetDiff.Verdict v) {
        return v.verdict() + " by " + (v.rule() == 0 ? v.where() : v.where() + " (" + v.chain() + " rule " + v.rule() + ")");
    }
}
