package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.config.Diagnostic;
import io.rampart.config.SourceRef;
import io.rampart.config.check.RuleSources;
import io.rampart.config.check.RulesetChecker;
import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.Table;
import io.rampart.model.extension.ExtensionKind;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import io.rampart.syntax.SourcedRuleset;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kernel is the judge of the checker's errors: a ruleset the checker (with the parser before
 * it) finds an error in is one the real iptables-restore refuses, and one it finds none in (at most
 * warnings) is one the kernel loads. One throwaway namespace serves the whole class.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RulesetCheckerKernelTest {

    private static final ExtensionRegistry REGISTRY = StandardExtensions.registry();
    private static Netns netns;

    @BeforeAll
    static void start() {
        KernelTestSupport.requireKernel();
        netns = Netns.throwaway("check", ProcessRunner.system());
        ProcessResult set = netns.run(List.of("ipset", "create", "skb", "hash:ip", "skbinfo"), "");
        assertThat(set.ok()).as("ipset create: " + set.stderr()).isTrue();
    }

    @AfterAll
    static void stop() {
        if (netns != null) {
            netns.close();
        }
    }

    /** A rule for user chain X, to be reached from every hook of its table. */
    private record Sample(Family family, Table table, String rule) {
    }

    /**
     * A rule for every extension the kernel allows only in some hooks (its {@code .hooks}), and for
     * every option only some hooks allow (its checkentry), in a table where it is valid.
     */
    private static final List<Sample> SAMPLES = List.of(
            new Sample(Family.IPV4, Table.NAT, "-p tcp -j DNAT --to-destination 192.0.2.1"),
            new Sample(Family.IPV4, Table.NAT, "-p tcp -j REDIRECT --to-ports 8080"),
            new Sample(Family.IPV4, Table.NAT, "-j SNAT --to-source 192.0.2.1"),
            new Sample(Family.IPV4, Table.NAT, "-j MASQUERADE"),
            new Sample(Family.IPV6, Table.NAT, "-j MASQUERADE"),
            new Sample(Family.IPV6, Table.NAT, "-p tcp -j DNAT --to-destination [2001:db8::1]:80"),
            new Sample(Family.IPV4, Table.FILTER, "-p tcp -j REJECT --reject-with tcp-reset"),
            new Sample(Family.IPV6, Table.FILTER, "-j REJECT"),
            new Sample(Family.IPV4, Table.MANGLE, "-p tcp -j TPROXY --on-port 3128"),
            new Sample(Family.IPV4, Table.MANGLE, "-j CLASSIFY --set-class 1:10"),
            new Sample(Family.IPV4, Table.MANGLE, "-m mac --mac-source 00:11:22:33:44:55"),
            new Sample(Family.IPV6, Table.MANGLE, "-m eui64"),
            new Sample(Family.IPV4, Table.MANGLE, "-p tcp -m osf --genre Linux"),
            new Sample(Family.IPV4, Table.MANGLE, "-m owner --uid-owner 0"),
            new Sample(Family.IPV6, Table.FILTER, "-m owner --uid-owner 0"),
            new Sample(Family.IPV4, Table.MANGLE, "-m cgroup --cgroup 1"),
            new Sample(Family.IPV4, Table.MANGLE, "-m socket"),
            new Sample(Family.IPV4, Table.MANGLE, "-m rpfilter"),
            new Sample(Family.IPV4, Table.RAW, "-m rpfilter --loose"),
            new Sample(Family.IPV4, Table.MANGLE, "-m realm --realm 1"),
            // Options the kernel checks in built-in chains only: through a user chain, warnings.
            new Sample(Family.IPV4, Table.MANGLE, "-m devgroup --src-group 1"),
            new Sample(Family.IPV4, Table.MANGLE, "-m devgroup --dst-group 1"),
            new Sample(Family.IPV4, Table.MANGLE, "-m addrtype --dst-type LOCAL --limit-iface-in"),
            new Sample(Family.IPV4, Table.MANGLE, "-m addrtype --src-type LOCAL --limit-iface-out"),
            new Sample(Family.IPV4, Table.MANGLE, "-m policy --dir in --pol none"),
            new Sample(Family.IPV4, Table.MANGLE, "-m policy --dir out --pol none"),
            new Sample(Family.IPV4, Table.MANGLE, "-m physdev --physdev-out eth0"),
            new Sample(Family.IPV4, Table.MANGLE, "-p tcp -j TCPMSS --clamp-mss-to-pmtu"),
            new Sample(Family.IPV4, Table.MANGLE, "-j SET --map-set skb src --map-prio"),
            new Sample(Family.IPV4, Table.MANGLE, "-p tcp -j SYNPROXY --sack-perm --mss 1460"),
            new Sample(Family.IPV6, Table.MANGLE, "-j SNPT --src-pfx 2001:db8::/64 --dst-pfx 2001:db9::/64"),
            new Sample(Family.IPV6, Table.MANGLE, "-j DNPT --src-pfx 2001:db9::/64 --dst-pfx 2001:db8::/64"),
            new Sample(Family.IPV4, Table.MANGLE, "-i lo"),
            new Sample(Family.IPV4, Table.MANGLE, "-o lo"));

    @Test
    void everyExtensionLimitedToSomeHooksHasASample() {
        List<String> missing = REGISTRY.all().stream()
                .filter(spec -> spec.kind() != ExtensionKind.HEADER && !spec.hooks().equals(EnumSet.allOf(Hook.class)))
                .filter(spec -> SAMPLES.stream().noneMatch(s -> names(s.rule(), spec)))
                .map(ExtensionSpec::describeKind).distinct().toList();
        assertThat(missing).isEmpty();
    }

    private static boolean names(String rule, ExtensionSpec spec) {
        return rule.contains((spec.kind() == ExtensionKind.TARGET ? "-j " : "-m ") + spec.name() + " ")
                || rule.endsWith("-j " + spec.name()) || rule.endsWith("-m " + spec.name());
    }

    /** Each sample in chain X, reached from each hook of its table in turn: checker and kernel agree. */
    @Test
    void throughAUserChainTheKernelRefusesExactlyWhatTheCheckerCallsAnError() throws RulesetSyntaxException {
        List<String> disagreements = new ArrayList<>();
        int refused = 0;
        int cases = 0;
        for (Sample sample : SAMPLES) {
            for (Hook hook : sample.table().hooks()) {
                String text = "*" + sample.table().label() + "\n:X - [0:0]\n-A " + hook + " -j X\n-A X "
                        + sample.rule() + "\nCOMMIT\n";
                List<Diagnostic> findings = check(sample.family(), text);
                boolean errors = findings.stream().anyMatch(Diagnostic::isError);
                boolean loaded = kernelLoads(sample.family(), text);
                cases++;
                refused += loaded ? 0 : 1;
                if (errors == loaded) {
                    disagreements.add(sample.family() + " " + sample.table().label() + " " + hook + " -> X: "
                            + sample.rule() + ": kernel " + (loaded ? "loads it" : "refuses it") + ", checker: "
                            + findings.stream().map(Diagnostic::message).toList());
                }
            }
        }
        assertThat(disagreements).isEmpty();
        // Both answers occur: the comparison above cannot pass by the kernel taking or refusing everything.
        assertThat(refused).isBetween(1, cases - 1);
    }

    static Stream<Arguments> jumpGraphs() {
        return Stream.of(
                Arguments.of("a loop a built-in chain reaches, closed by -g", true, """
                        *filter
                        :A - [0:0]
                        :B - [0:0]
                        :C - [0:0]
                        -A INPUT -j A
                        -A A -p tcp -j B
                        -A B -j C
                        -A C -g A
                        COMMIT
                        """),
                Arguments.of("a chain that jumps to itself, reached", true, """
                        *filter
                        :SELF - [0:0]
                        -A FORWARD -j SELF
                        -A SELF -p udp -j SELF
                        COMMIT
                        """),
                Arguments.of("two paths to one chain are not a loop", false, """
                        *filter
                        :A - [0:0]
                        :B - [0:0]
                        :C - [0:0]
                        :D - [0:0]
                        -A INPUT -j A
                        -A A -j B
                        -A A -j C
                        -A B -j D
                        -A C -g D
                        -A OUTPUT -j D
                        COMMIT
                        """),
                Arguments.of("chains nested 15 deep by jumps", false, nested(15, "-j")),
                Arguments.of("chains nested 16 deep by jumps", true, nested(16, "-j")),
                Arguments.of("chains nested 16 deep by gotos", true, nested(16, "-g")),
                Arguments.of("a 16-deep path beside a short one", true, nested(16, "-j").replace("COMMIT",
                        "-A INPUT -j L16\nCOMMIT")),
                Arguments.of("tcp-reset without -p tcp", true, """
                        *filter
                        -A INPUT -j REJECT --reject-with tcp-reset
                        COMMIT
                        """));
    }

    /** INPUT -> L1 -> ... -> L{depth}: {@code depth} jumps (or gotos) down from a built-in chain. */
    private static String nested(int depth, String how) {
        String declarations = IntStream.rangeClosed(1, depth).mapToObj(i -> ":L" + i + " - [0:0]\n")
                .collect(Collectors.joining());
        String jumps = IntStream.range(1, depth).mapToObj(i -> "-A L" + i + " " + how + " L" + (i + 1) + "\n")
                .collect(Collectors.joining());
        return "*filter\n" + declarations + "-A INPUT -j L1\n" + jumps + "COMMIT\n";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jumpGraphs")
    void jumpsBetweenChains(String name, boolean refused, String text) {
        boolean errors;
        try {
            errors = check(Family.IPV4, text).stream().anyMatch(Diagnostic::isError);
        } catch (RulesetSyntaxException e) {
            errors = true;
        }
        assertThat(errors).as("checker finds errors").isEqualTo(refused);
        assertThat(kernelLoads(Family.IPV4, text)).as("kernel loads it").isEqualTo(!refused);
    }

    /**
     * A loop no built-in chain reaches loads, but can never be used: the kernel refuses a jump into
     * any of its chains, so the checker calls it an error.
     */
    @Test
    void aLoopNoBuiltInChainReachesIsAnErrorAsTheKernelRefusesEveryJumpIntoIt() throws RulesetSyntaxException {
        String loop = """
                *filter
                :A - [0:0]
                :B - [0:0]
                -A INPUT -j ACCEPT
                -A A -j B
                -A B -p tcp -j A
                COMMIT
                """;
        assertThat(check(Family.IPV4, loop)).filteredOn(Diagnostic::isError).extracting(Diagnostic::message)
                .singleElement().asString().startsWith("jump loop A -> B -> A: no built-in chain reaches it");
        for (String chain : List.of("A", "B")) {
            assertThat(kernelLoads(Family.IPV4, loop)).as("the kernel loads the loop itself").isTrue();
            ProcessResult jump = netns.run(List.of("iptables", "-w", "10", "-A", "FORWARD", "-j", chain), "");
            assertThat(jump.ok()).as("iptables -A FORWARD -j " + chain + ": " + jump.stderr()).isFalse();
        }
    }

    private static List<Diagnostic> check(Family family, String text) throws RulesetSyntaxException {
        SourcedRuleset parsed = new RulesetParser(REGISTRY, family, NameDatabase.system()).parseWithLines(text);
        RuleSources lines = new RuleSources() {
            @Override
            public SourceRef rule(Table table, int index) {
                return new SourceRef("test.rules", parsed.lineOf(table, index), 1);
            }

            @Override
            public SourceRef chain(Table table, String chain) {
                return new SourceRef("test.rules", 1, 1);
            }
        };
        return new RulesetChecker(REGISTRY).check(parsed.ruleset(), lines);
    }

    private static boolean kernelLoads(Family family, String text) {
        return netns.run(List.of(family.command() + "-restore", "-w", "10"), text).ok();
    }
}
