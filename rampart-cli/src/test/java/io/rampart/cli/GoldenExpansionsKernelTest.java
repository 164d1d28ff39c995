package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.config.FamilyRuleset;
import io.rampart.config.RulesetSource;
import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.system.Iptables;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import io.rampart.syntax.RulesetPrinter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each family's expansion of every golden case of the language (rampart-config's
 * {@code expected.txt}) loaded into a throwaway namespace with the real iptables-restore: it is
 * refused exactly when the case is one the kernel must refuse, and otherwise iptables-save prints
 * the chains and rules Rampart's canonical form of the case says (what reconcile compares with the
 * kernel).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GoldenExpansionsKernelTest {

    private static final Path GOLDEN = Path.of("../rampart-config/src/test/resources/golden");

    /** The cases whose expansion holds what the kernel refuses: unknown options, long names, a bad table. */
    private static final Set<String> REFUSED = Set.of("errors-checks", "errors-includes", "errors-rules",
            "errors-tables");

    record Expansion(String goldenCase, Family family, String text, String canonical) {
        @Override
        public String toString() {
            return goldenCase + " " + family.command();
        }
    }

    static List<Expansion> expansions() throws IOException {
        List<Expansion> expansions = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(GOLDEN)) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                Map<Family, FamilyRuleset> parsed = RulesetSource.load(dir.resolve("main.rules"), Family.IPV4,
                        StandardExtensions.registry(), Optional.empty(), NameDatabase.system()).families();
                sections(Files.readString(dir.resolve("expected.txt"))).forEach((family, text) -> expansions.add(
                        new Expansion(dir.getFileName().toString(), family, text, new RulesetPrinter(
                                StandardExtensions.registry(), family).print(parsed.get(family).ruleset()))));
            }
        }
        return expansions;
    }

    /** The restore text after each {@code === iptables} / {@code === ip6tables} header. */
    private static Map<Family, String> sections(String expected) {
        Map<Family, String> sections = new LinkedHashMap<>();
        Family current = null;
        StringBuilder text = new StringBuilder();
        for (String line : expected.split("\n", -1)) {
            if (line.startsWith("=== ")) {
                if (current != null) {
                    sections.put(current, text.toString());
                }
                current = line.equals("=== ip6tables") ? Family.IPV6 : Family.IPV4;
                text.setLength(0);
            } else if (current != null && !line.isEmpty()) {
                text.append(line).append('\n');
            }
        }
        if (current != null) {
            sections.put(current, text.toString());
        }
        return sections;
    }

    @ParameterizedTest
    @MethodSource("expansions")
    void theKernelLoadsTheExpansionAsWritten(Expansion expansion) {
        KernelTestSupport.requireKernel();
        try (Netns netns = Netns.throwaway("golden", ProcessRunner.system())) {
            Iptables kernel = new Iptables(netns, expansion.family());
            ProcessResult restored = kernel.restore(expansion.text(), false);
            if (REFUSED.contains(expansion.goldenCase())) {
                assertThat(restored.ok()).as("the kernel must refuse:%n%s", expansion.text()).isFalse();
                return;
            }
            assertThat(restored.ok()).as("%s", restored.stderr()).isTrue();
            assertThat(tablesOf(kernel.save(), expansion.canonical()))
                    .isEqualTo(tablesOf(expansion.canonical(), expansion.canonical()));
        }
    }

    /**
     * The tables {@code reference} names, each as its header, the declarations of the chains
     * {@code reference} declares (counters left out) and its rules: iptables-save also declares the
     * built-in chains a table has but the text leaves out.
     */
    private static List<String> tablesOf(String save, String reference) {
        List<String> declared = reference.lines().filter(l -> l.startsWith(":"))
                .map(l -> l.split(" ")[0]).toList();
        List<String> tables = reference.lines().filter(l -> l.startsWith("*")).toList();
        List<String> out = new ArrayList<>();
        boolean inTable = false;
        for (String line : save.lines().toList()) {
            if (line.startsWith("*")) {
                inTable = tables.contains(line);
                if (inTable) {
                    out.add(line);
                }
            } else if (inTable && line.startsWith(":")) {
                if (declared.contains(line.split(" ")[0])) {
                    out.add(line.replaceFirst(" \\[\\d+:\\d+\\]$", ""));
                }
            } else if (inTable && line.startsWith("-A")) {
                out.add(line);
            }
        }
        return out;
    }
}
