package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.config.FamilyRuleset;
import io.rampart.config.RulesetSource;
import io.rampart.model.Family;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The language against the real kernel, in one throwaway namespace emptied before each test: the
 * examples' expansions are accepted by iptables-restore, a refusal names the included file's line,
 * dual-stack files reach both families, and @addr follows an interface's address.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LanguageCliKernelTest {

    private static Netns netns;
    private static String name;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        // An interface whose address @addr(wan0) looks up.
        netns = KernelTestSupport.namespaceWithInterface("lang", "wan0", "203.0.113.9/24");
        name = netns.name().orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (netns != null) {
            netns.close();
        }
    }

    @BeforeEach
    void empty() {
        netns.run(List.of("nft", "flush", "ruleset"), "");
    }

    private static Run run(String... args) {
        return Run.of(args);
    }

    private Path file(String relative, String text) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private static String save(Family family) {
        return netns.run(List.of(family.command() + "-save"), "").stdout();
    }

    static List<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("../examples"))) {
            return files.filter(p -> p.toString().endsWith(".rules")).sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void eachExampleChecksCleanAndTheKernelTakesItsExpansion(Path example) {
        Run check = run("check", example.toString());
        assertThat(check.exitCode()).as(check.err()).isZero();
        assertThat(check.err()).isEmpty();
        RulesetSource source = RulesetFiles.load(example, Family.IPV4, Optional.empty());
        for (FamilyRuleset rules : source.families().values()) {
            ProcessResult restored = netns.run(List.of(rules.family().command() + "-restore"), rules.restoreText());
            assertThat(restored.ok()).as(example + " " + rules.family() + ": " + restored.stderr()).isTrue();
            int expected = rules.ruleset().tables().stream().mapToInt(t -> t.rules().size()).sum();
            assertThat(save(rules.family()).lines().filter(l -> l.startsWith("-A ")).count())
                    .as(example + " " + rules.family()).isEqualTo(expected);
        }
    }

    @Test
    void aKernelRefusalNamesTheLineOfTheIncludedFile() throws IOException {
        file("parts/sets.rules", "# Sets are made by another tool.\n-A INPUT -m set --match-set nosuchset src -j DROP\n");
        Path main = file("main.rules", "*filter\n-A INPUT -i lo -j ACCEPT\ninclude \"parts/sets.rules\"\nCOMMIT\n");
        String before = save(Family.IPV4);
        Run apply = run("apply", "--netns", name, main.toString());
        assertThat(apply.exitCode()).isEqualTo(ExitCode.SYSTEM);
        assertThat(apply.err()).contains(dir.resolve("parts/sets.rules") + ":2: the kernel refused")
                .contains("nothing was changed");
        assertThat(save(Family.IPV4)).isEqualTo(before);
    }

    @Test
    void aFileForBothFamiliesIsPlannedAndAppliedToBoth() throws IOException {
        Path main = file("main.rules", """
                define ADMINS = { 192.0.2.10, 2001:db8::10 }
                *filter both
                :ADMIN - [0:0]
                -A INPUT -s $ADMINS -j ADMIN
                -A ADMIN -p tcp --dport 22 -j ACCEPT
                COMMIT
                """);
        Run plan = run("plan", "--netns", name, main.toString());
        assertThat(plan.exitCode()).as(plan.err()).isZero();
        assertThat(plan.out()).contains("iptables:\n", "ip6tables:\n", "-A INPUT -s 192.0.2.10/32 -j ADMIN",
                "-A INPUT -s 2001:db8::10/128 -j ADMIN");
        Run apply = run("apply", "--netns", name, main.toString());
        assertThat(apply.exitCode()).as(apply.err()).isZero();
        assertThat(save(Family.IPV4)).contains("-A INPUT -s 192.0.2.10/32 -j ADMIN").doesNotContain("2001:db8");
        assertThat(save(Family.IPV6)).contains("-A INPUT -s 2001:db8::10/128 -j ADMIN").doesNotContain("192.0.2");
        assertThat(run("status", "--netns", name, main.toString()).exitCode()).isZero();
        Run onlySix = run("status", "-6", "--json", "--netns", name, main.toString());
        assertThat(onlySix.exitCode()).isZero();
        assertThat(onlySix.out()).contains("\"family\" : \"IPV6\"").doesNotContain("IPV4");
    }

    @Test
    void aFamilyTheFileHasNoTableForIsBadInput() throws IOException {
        Path main = file("six.rules", "*filter ipv6\n-A INPUT -s 2001:db8::1 -j ACCEPT\nCOMMIT\n");
        Run plan = run("plan", "-4", "--netns", name, main.toString());
        assertThat(plan.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(plan.err()).contains(main + ": has no table for iptables (its tables are for ip6tables)");
        Path both = file("both.rules", "*filter both\n-A INPUT -j ACCEPT\nCOMMIT\n");
        Run agent = run("agent", "--netns", name, both.toString());
        assertThat(agent.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(agent.err()).contains("run one with -4 and one with -6");
    }

    @Test
    void snatFollowsTheInterfaceAddressLookedUpAtApplyTime() throws IOException {
        Path main = file("main.rules", "*nat\n-A POSTROUTING -o wan0 -j SNAT --to-source @addr(wan0)\nCOMMIT\n");
        Run apply = run("apply", "--netns", name, main.toString());
        assertThat(apply.exitCode()).as(apply.err()).isZero();
        assertThat(save(Family.IPV4)).contains("-A POSTROUTING -o wan0 -j SNAT --to-source 203.0.113.9");

        Path missing = file("missing.rules", "*nat\n-A POSTROUTING -j SNAT --to-source @addr(nope0)\nCOMMIT\n");
        Run refused = run("plan", "--netns", name, missing.toString());
        assertThat(refused.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(refused.err()).contains(missing + ":2:36: error: @addr(nope0): no interface nope0");
    }
}
