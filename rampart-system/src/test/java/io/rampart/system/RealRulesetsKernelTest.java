package io.rampart.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.Corpus;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetPrinter;
import io.rampart.syntax.RulesetSyntaxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each real ruleset, printed by Rampart and loaded into a live kernel, comes back from the kernel's
 * iptables-save exactly as Rampart printed it.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RealRulesetsKernelTest {

    private static Netns netns;

    @BeforeAll
    static void start() {
        KernelTestSupport.requireKernel();
        netns = Netns.throwaway("corpus", ProcessRunner.system());
    }

    @AfterAll
    static void stop() {
        if (netns != null) {
            netns.close();
        }
    }

    static List<Corpus.Entry> corpus() {
        return Corpus.entries();
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void kernelKeepsRampartsCanonicalForm(Corpus.Entry entry) throws RulesetSyntaxException, IOException {
        String ours = new RulesetPrinter(StandardExtensions.registry(), Family.IPV4)
                .print(new RulesetParser(StandardExtensions.registry(), Family.IPV4,
                        NameDatabase.system()).parse(entry.originalText()));
        clearKernel();
        Path ipsets = entry.original().resolveSibling(entry.name() + ".ipsets");
        if (Files.exists(ipsets)) {
            ProcessResult sets = netns.run(List.of("ipset", "restore"), Files.readString(ipsets));
            assertThat(sets.ok()).as("ipset restore: " + sets.stderr()).isTrue();
        }
        Iptables iptables = new Iptables(netns, Family.IPV4);
        ProcessResult loaded = iptables.restore(ours, false);
        assertThat(loaded.ok()).as("iptables-restore refused: " + loaded.stderr()).isTrue();
        assertThat(iptables.save()).isEqualTo(ours);
    }

    /** Removes every table and set, so each ruleset starts from an empty kernel. */
    private static void clearKernel() {
        netns.run(List.of("nft", "flush", "ruleset"), "");
        netns.run(List.of("ipset", "destroy"), "");
    }
}
