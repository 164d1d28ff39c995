package io.rampart.cli;

import io.rampart.api.Extensions;
import io.rampart.model.Family;
import io.rampart.model.extension.ExtensionDescription;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.ExtensionKind;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.system.KernelExtensions;
import io.rampart.system.Netns;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Lists the extensions Rampart knows, their options and help, or what the running kernel offers. */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = {"Describe the supported matches and targets: options, argument types, negation, help.",
                "With --kernel: which of them the running kernel offers."})
final class DescribeCommand implements Callable<Integer> {

    @Mixin
    KernelOptions options;

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "A match or target, e.g. tcp or LOG.")
    String name;

    @Option(names = "--kernel", description = "Compare with the extensions the running kernel registers.")
    boolean kernel;

    @Spec
    CommandSpec spec;

    /** One extension and whether the kernel has it, for --kernel --json. */
    record KernelSupport(String name, String kind, boolean inKernel) {
    }

    /** What --kernel reports. */
    record KernelReport(String family, List<KernelSupport> extensions, List<String> kernelOnlyMatches,
                        List<String> kernelOnlyTargets) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (kernel) {
            return describeKernel(out);
        }
        List<ExtensionRegistry.WithdrawnTarget> withdrawn = StandardExtensions.registry().withdrawnTargets();
        if (name != null && !options.json && StandardExtensions.registry().named(name).isEmpty()) {
            List<ExtensionRegistry.WithdrawnTarget> named = withdrawn.stream()
                    .filter(t -> t.name().equalsIgnoreCase(name)).toList();
            if (!named.isEmpty()) {
                named.forEach(t -> out.printf("target %s (%s): no longer in the kernel, refused: %s%n", t.name(),
                        t.family().command(), t.replacement()));
                return ExitCode.OK;
            }
        }
        List<ExtensionSpec> chosen = Extensions.named(name);
        if (options.json) {
            out.println(Json.document(Extensions.describe(chosen)));
        } else if (name == null) {
            for (ExtensionSpec extension : chosen) {
                out.printf("%-7s %-12s %-10s %s%n", extension.kind().name().toLowerCase(java.util.Locale.ROOT),
                        extension.name(), families(ExtensionDescription.of(extension)), extension.help());
            }
            out.printf("%d matches and %d targets; refused, as the kernel no longer has them: %s%n",
                    countOf(chosen, ExtensionKind.MATCH), countOf(chosen, ExtensionKind.TARGET),
                    String.join(", ", withdrawn.stream().map(t -> t.name() + " (" + t.replacement() + ")").toList()));
        } else {
            chosen.forEach(extension -> printDetails(ExtensionDescription.of(extension), out));
        }
        return ExitCode.OK;
    }

    /** How many extensions of a kind there are by name (REJECT of both families is one). */
    private static long countOf(List<ExtensionSpec> extensions, ExtensionKind kind) {
        return extensions.stream().filter(e -> e.kind() == kind).map(ExtensionSpec::name).distinct().count();
    }

    private static String families(ExtensionDescription d) {
        return d.families().size() == 2 ? "ipv4,ipv6" : d.families().get(0);
    }

    static void printDetails(ExtensionDescription d, PrintWriter out) {
        out.printf("%s %s (%s): %s%n", d.kind(), d.name(), families(d), d.help());
        if (d.loadedByProtocol() != null) {
            out.printf("  loaded by -m %s, or by -p %s before one of its options%n", d.name(), d.loadedByProtocol());
        }
        if (d.tables().size() < 5) {
            out.printf("  tables: %s%n", String.join(", ", d.tables()));
        }
        if (d.hooks().size() < 5) {
            out.printf("  hooks: %s%n", String.join(", ", d.hooks()));
        }
        for (ExtensionDescription.OptionDescription option : d.options()) {
            StringBuilder names = new StringBuilder(option.negatable() ? "[!] " : "");
            names.append(option.name());
            option.aliases().forEach(a -> names.append(", ").append(a));
            option.arguments().forEach(a -> names.append(' ').append(a.syntax()));
            out.printf("  %s%s%n      %s%n", names, option.required() ? "  (required)" : "", option.help());
        }
    }

    private int describeKernel(PrintWriter out) {
        Family family = options.family();
        KernelExtensions available;
        try (Netns netns = options.namespace()) {
            available = KernelExtensions.read(netns, family);
        }
        List<ExtensionSpec> known = StandardExtensions.registry().all().stream()
                .filter(s -> s.kind() != ExtensionKind.HEADER && s.availableIn(family)).toList();
        List<KernelSupport> support = known.stream()
                .map(s -> new KernelSupport(s.name(), s.kind().name().toLowerCase(java.util.Locale.ROOT),
                        inKernel(s, available)))
                .toList();
        List<String> onlyMatches = available.matches().stream()
                .filter(m -> StandardExtensions.registry().match(m, family).isEmpty()).toList();
        List<String> onlyTargets = available.targets().stream()
                .filter(t -> StandardExtensions.registry().target(t, family).isEmpty()).toList();
        if (options.json) {
            out.println(Json.document(new KernelReport(family.name().toLowerCase(java.util.Locale.ROOT), support,
                    onlyMatches, onlyTargets)));
            return ExitCode.OK;
        }
        for (KernelSupport s : support) {
            out.printf("%-7s %-12s %s%n", s.kind(), s.name(), s.inKernel() ? "available" : "NOT in this kernel");
        }
        if (!onlyMatches.isEmpty() || !onlyTargets.isEmpty()) {
            out.printf("the kernel also offers (not supported by rampart): %s%n",
                    String.join(", ", java.util.stream.Stream.concat(onlyMatches.stream(), onlyTargets.stream())
                            .toList()));
        }
        return ExitCode.OK;
    }

    /** Whether the kernel registers the extension; the standard verdicts are part of x_tables itself. */
    private static boolean inKernel(ExtensionSpec spec, KernelExtensions available) {
        if (spec.kind() == ExtensionKind.TARGET) {
            return List.of("ACCEPT", "DROP", "RETURN", "QUEUE").contains(spec.name())
                    || available.targets().contains(spec.name());
        }
        return available.matches().contains(spec.name());
    }
}
