package io.rampart.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.api.LiveHost;
import io.rampart.api.LiveRulesets;
import io.rampart.api.TraceResult;
import io.rampart.config.FamilyRuleset;
import io.rampart.model.Family;
import io.rampart.model.Ruleset;
import io.rampart.model.extension.NameDatabase;
import io.rampart.trace.CompiledRuleset;
import io.rampart.trace.Host;
import io.rampart.trace.HostFiles;
import io.rampart.trace.PacketSpec;
import io.rampart.trace.Trace;
import io.rampart.trace.TraceInputException;
import io.rampart.trace.TraceText;
import io.rampart.trace.Tracer;
import io.rampart.system.Netns;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Follows a packet through every table in kernel order and prints the rules it meets. */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Follow a packet through raw, mangle, nat, filter and security in kernel order,",
                "with conntrack, routing and NAT, and print every rule that matched and the verdict.",
                "The ruleset is the live one (of --netns NS), or --rules FILE with --host FILE.",
                "The family is that of -4/-6, else that of the packet's addresses (of -4/-6 alone for --packets)."})
final class TraceCommand implements Callable<Integer> {

    @Mixin
    KernelOptions options;

    @Mixin
    TraceSourceOptions source;

    @Mixin
    PacketOptions packet;

    @Option(names = "--packets", paramLabel = "FILE.jsonl", description = "Many packets, one JSON object a line.")
    Path packets;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Family family = options.familyGiven() || packets != null ? options.family()
                : packet.spec().addressFamily().orElse(options.family());
        try {
            CompiledRuleset ruleset = source.ruleset(options, family, spec.commandLine().getErr());
            Tracer tracer = source.tracer(options, family, ruleset);
            PrintWriter out = spec.commandLine().getOut();
            if (packets != null) {
                return batch(tracer, family, out);
            }
            Trace trace = tracer.trace(packet.spec().build(family));
            out.print(options.json ? Json.line(new TraceResult(trace, source.explain, NameDatabase.system())) + "\n"
                    : TraceText.render(trace, source.explain));
            out.flush();
            return ExitCode.OK;
        } catch (TraceInputException e) {
            throw new InputException(e.getMessage());
        }
    }

    private int batch(Tracer tracer, Family family, PrintWriter out) throws TraceInputException {
        ObjectMapper mapper = new ObjectMapper();
        List<String> lines = read(packets);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            try {
                out.println(Json.line(new TraceResult(tracer.trace(PacketSpec.fromJson(mapper.readTree(line),
                        NameDatabase.system()).build(family)), source.explain, NameDatabase.system())));
            } catch (IOException e) {
                throw new InputException(packets + ":" + (i + 1) + ": not JSON: " + e.getMessage());
            } catch (TraceInputException e) {
                throw new InputException(packets + ":" + (i + 1) + ": " + e.getMessage());
            }
        }
        out.flush();
        return ExitCode.OK;
    }

    /** The ruleset to trace through: the file's, or the live one of the namespace. */
    static CompiledRuleset ruleset(KernelOptions options, Path rules, Family family, PrintWriter err) {
        return rules != null ? fromFile(options, rules, family, err) : live(options, family);
    }

    /**
     * The host: the host file's; for a ruleset file without one, the namespace's when --netns names one
     * and an unknown host otherwise; the live one for the live ruleset.
     */
    static Host host(KernelOptions options, Path rules, Path hostFile, Family family) throws TraceInputException {
        if (hostFile != null) {
            return fileHost(hostFile, family);
        }
        return rules != null && options.netns == null ? Host.unknown() : liveHost(options, family);
    }

    /**
     * The file's rules of {@code family}, each with where it was written. Apply-time values are looked up
     * as plan looks them up: in the namespace of --netns, or on this host without it.
     */
    private static CompiledRuleset fromFile(KernelOptions options, Path rules, Family family, PrintWriter err) {
        try (Netns netns = options.namespace()) {
            FamilyRuleset ruleset = RulesetFiles.familyRuleset(rules, family, new NetnsValueResolver(netns), err);
            return CompiledRuleset.of(ruleset.ruleset(), ruleset::location);
        }
    }

    private static Host fileHost(Path hostFile, Family family) throws TraceInputException {
        try {
            return HostFiles.fromHostFile(String.join("\n", read(hostFile)), family);
        } catch (TraceInputException e) {
            throw new InputException(hostFile + ": " + e.getMessage());
        }
    }

    private static CompiledRuleset live(KernelOptions options, Family family) {
        return CompiledRuleset.of(liveRuleset(options, family));
    }

    /** The live ruleset of the namespace (or the host), with the built-in chains nf_tables does not have left out. */
    static Ruleset liveRuleset(KernelOptions options, Family family) {
        try (Netns netns = options.namespace()) {
            return LiveRulesets.parse(netns, family, NameDatabase.system()).ruleset();
        }
    }

    private static Host liveHost(KernelOptions options, Family family) throws TraceInputException {
        try (Netns netns = options.namespace()) {
            return LiveHost.read(netns, family);
        }
    }

    static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read: " + e.getMessage());
        }
    }
}
