package io.rampart.cli;

import io.rampart.config.FamilyRuleset;
import io.rampart.system.Netns;
import io.rampart.trace.Coverage;
import io.rampart.trace.capture.CaptureReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Replays a capture through a ruleset and counts the packets each rule matched. */
@Command(name = "coverage", mixinStandardHelpOptions = true,
        description = {"Replay the packets of a capture (pcap or pcapng) through RULES with the",
                "tracer and print, per rule, how many packets matched it (file:line), then the",
                "rules no packet matched. A connection's first packet is new, later ones",
                "established once a reply was seen, as conntrack has them. Packets arrive on",
                "the interface the capture names, or --in IFACE; packets the capture marks as",
                "sent (Linux cooked captures, pcapng's flags), or sent from one of the --host's",
                "addresses, leave by it."})
final class CoverageCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RULES", description = "The ruleset file.")
    Path rules;

    @Option(names = "--pcap", required = true, paramLabel = "FILE", description = "The capture, pcap or pcapng.")
    Path pcap;

    @Option(names = "--in", paramLabel = "IFACE",
            description = "The interface the packets came by (default: the one the capture names).")
    String in;

    @Option(names = "--host", paramLabel = "FILE",
            description = "Addresses, routes and ip_forward of the host (JSON), as trace takes it"
                    + " (default: of --netns NS when given, else an unknown host: every packet is for it).")
    Path hostFile;

    @Mixin
    KernelOptions options;

    @Spec
    CommandSpec spec;

    /** The replay as {@code --json} prints it. */
    record Report(String ruleset, String capture, long frames, long packets, Map<String, Long> skipped,
                  long connections, Map<String, List<Coverage.RuleHits>> rules,
                  Map<String, List<Coverage.RuleHits>> neverHit, List<Coverage.PolicyHits> policies,
                  List<Coverage.Stopped> stopped, long assumed) {
    }

    @Override
    public Integer call() {
        List<Coverage.Rules> sides = new ArrayList<>();
        try (Netns netns = options.namespace()) {
            for (FamilyRuleset r : RulesetFiles.familyRulesets(rules, options, new NetnsValueResolver(netns),
                    spec.commandLine().getErr())) {
                sides.add(new Coverage.Rules(r.ruleset(), r::location, TraceCommand.host(options, rules, hostFile,
                        r.family())));
            }
        }
        Coverage coverage = new Coverage(sides, in);
        try (InputStream capture = new BufferedInputStream(Files.newInputStream(pcap), 1 << 16)) {
            CaptureReader.read(capture, pcap.toString(), coverage);
        } catch (NoSuchFileException e) {
            throw new InputException(pcap + ": no such file");
        } catch (IOException e) {
            throw new InputException(pcap + ": cannot read: " + e.getMessage());
        }
        Coverage.Result result = coverage.result();
        PrintWriter out = spec.commandLine().getOut();
        if (options.json) {
            out.println(Json.document(new Report(rules.toString(), pcap.toString(), result.frames(), result.packets(),
                    result.skipped(), result.connections(), result.rules(), result.neverHit(), result.policies(),
                    result.stopped(), result.assumed())));
        } else {
            out.print(text(result));
        }
        out.flush();
        return ExitCode.OK;
    }

    private String text(Coverage.Result result) {
        StringBuilder b = new StringBuilder();
        b.append(pcap).append(": ").append(result.frames()).append(" frames, ").append(result.packets())
                .append(" packets replayed through ").append(rules).append(", ").append(result.connections())
                .append(" connections\n");
        result.skipped().forEach((why, n) -> b.append("  not replayed: ").append(n).append(' ').append(why)
                .append('\n'));
        boolean several = result.rules().size() > 1;
        result.rules().forEach((family, list) -> {
            b.append(several ? family + ": " : "").append("hits per rule:\n");
            for (Coverage.RuleHits r : list) {
                b.append(String.format("%10d  %s  %s %s %d: %s%n", r.hits(), where(r), r.table(), r.chain(), r.rule(),
                        r.text()));
            }
        });
        for (Coverage.PolicyHits p : result.policies()) {
            b.append(String.format("%10d  policy %s of %s %s%s%n", p.hits(), p.policy(), p.table(), p.chain(),
                    several ? " (" + p.family() + ")" : ""));
        }
        for (Coverage.Stopped s : result.stopped()) {
            String why = s.condition().startsWith("-j ") ? "the tracer cannot tell the verdict of `%s'"
                    : "the tracer cannot evaluate `%s'";
            b.append(String.format("%10d  stopped at %s %s %d%s: " + why + "%n", s.packets(),
                    s.table(), s.chain(), s.rule(), s.source() == null ? "" : " (" + s.source() + ")", s.condition()));
        }
        if (result.assumed() > 0) {
            b.append(result.assumed()).append(" packets met matches decided by history or chance (limit,"
                    + " statistic, ...), which were assumed to match\n");
        }
        result.neverHit().forEach((family, list) -> {
            long total = result.rules().get(family).size();
            b.append(several ? family + ": " : "").append("never hit: ").append(list.size()).append(" of ")
                    .append(total).append(total == 1 ? " rule\n" : " rules\n");
            list.forEach(r -> b.append("  ").append(where(r)).append(": ").append(r.text()).append('\n'));
        });
        return b.toString();
    }

    private static String where(Coverage.RuleHits r) {
        return r.source() != null ? r.source() : r.table() + " " + r.chain() + " " + r.rule();
    }
}
