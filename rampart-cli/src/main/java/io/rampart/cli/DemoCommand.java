package io.rampart.cli;

import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Rule;
import io.rampart.model.Table;
import io.rampart.model.TableRules;
import io.rampart.model.extension.ExtensionDescription;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RuleParser;
import io.rampart.syntax.RulePrinter;
import io.rampart.syntax.RuleSyntaxException;
import io.rampart.syntax.RulesetPrinter;
import io.rampart.syntax.SavedState;
import io.rampart.system.Iptables;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import io.rampart.system.SystemException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Shows the rule model at work on a real kernel: sloppy spellings go in, and Rampart's canonical
 * form is set beside what the kernel's iptables-save printed for each rule.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, subcommands = FleetDemo.class,
        description = "Load a small example ruleset into a throwaway network namespace, show each rule's"
                + " canonical form next to what the kernel's iptables-save printed, apply a desired state next to"
                + " another tool's rules and repair drift, then remove the namespace. `demo fleet' shows the fleet.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--debug", description = "Show stack traces of internal errors.")
    boolean debug;

    @Spec
    CommandSpec spec;

    /** An input line and the rules Rampart made of it. */
    private record Parsed(String input, Rule rule) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String rules = exampleRules();
        try (Netns netns = Netns.throwaway("demo", ProcessRunner.system())) {
            out.printf("Network namespace %s created; loading the example with iptables-restore.%n%n",
                    netns.name().orElseThrow());
            Iptables iptables = new Iptables(netns, Family.IPV4);
            ProcessResult loaded = iptables.restore(rules, false);
            if (!loaded.ok()) {
                throw new SystemException("the kernel refused the example: " + loaded.failure());
            }
            List<String> kernelLines = SavedState.parse(iptables.save()).tables().stream()
                    .flatMap(table -> table.rules().values().stream()).flatMap(List::stream).toList();
            List<Parsed> ours = parseInSaveOrder(rules);
            int same = compare(ours, kernelLines, out);
            out.printf("%d of %d rules: Rampart's canonical form is byte-identical to the kernel's.%n%n", same,
                    kernelLines.size());
            out.println("$ rampart describe limit");
            StandardExtensions.registry().named("limit")
                    .forEach(e -> DescribeCommand.printDetails(ExtensionDescription.of(e), out));
            out.printf("%n--- Desired state ---%n%n");
            ReconcileDemo.run(netns, out);
            out.printf("%nRemoving network namespace %s.%n", netns.name().orElseThrow());
            return same == kernelLines.size() && same == ours.size() ? ExitCode.OK : ExitCode.SYSTEM;
        }
    }

    private static int compare(List<Parsed> ours, List<String> kernelLines, PrintWriter out) {
        RulePrinter printer = new RulePrinter(StandardExtensions.registry(), Family.IPV4);
        int same = 0;
        for (int i = 0; i < Math.max(ours.size(), kernelLines.size()); i++) {
            String input = i < ours.size() ? ours.get(i).input() : "";
            String canonical = i < ours.size() ? printer.print(ours.get(i).rule()) : "(none)";
            String kernel = i < kernelLines.size() ? kernelLines.get(i) : "(none)";
            boolean equal = canonical.equals(kernel);
            same += equal ? 1 : 0;
            out.printf("  written:   %s%n  rampart:   %s%n  kernel:    %s   %s%n%n", input, canonical, kernel,
                    equal ? "[same]" : "[DIFFERENT]");
        }
        return same;
    }

    /** The example's rules with their input lines, in the order iptables-save lists them. */
    private static List<Parsed> parseInSaveOrder(String text) throws RuleSyntaxException {
        RuleParser parser = new RuleParser(StandardExtensions.registry(), Family.IPV4, NameDatabase.system());
        Map<Table, List<Parsed>> byTable = new java.util.EnumMap<>(Table.class);
        Map<Table, List<Chain>> chains = new java.util.EnumMap<>(Table.class);
        Table table = null;
        for (String line : text.lines().toList()) {
            if (line.startsWith("*")) {
                table = Table.byLabel(line.substring(1)).orElseThrow();
                byTable.put(table, new ArrayList<>());
                chains.put(table, new ArrayList<>());
            } else if (line.startsWith(":")) {
                chains.get(table).add(Chain.user(line.substring(1).split(" ")[0]));
            } else if (line.startsWith("-A")) {
                for (Rule rule : parser.parseLine(line, table)) {
                    byTable.get(table).add(new Parsed(line, rule));
                }
            }
        }
        List<Parsed> ordered = new ArrayList<>();
        for (Table t : RulesetPrinter.SAVE_ORDER) {
            if (!byTable.containsKey(t)) {
                continue;
            }
            TableRules section = new TableRules(t, chains.get(t), List.of());
            for (Chain chain : RulesetPrinter.chainsInSaveOrder(section)) {
                byTable.get(t).stream().filter(p -> p.rule().chain().equals(chain.name())).forEach(ordered::add);
            }
        }
        return ordered;
    }

    private static String exampleRules() {
        try (InputStream in = DemoCommand.class.getResourceAsStream("demo.rules")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
