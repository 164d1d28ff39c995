package io.rampart.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.ApplyException;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.PlanException;
import io.rampart.reconcile.Reconciler;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The reconciler against a live kernel, next to chains and rules that other tools own. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReconcileKernelTest {

    private Netns netns;
    private CountingRunner processes;

    @BeforeEach
    void start() {
        KernelTestSupport.requireKernel();
        processes = new CountingRunner(ProcessRunner.system());
        netns = Netns.throwaway("reconcile", processes);
    }

    @AfterEach
    void stop() {
        if (netns != null) {
            netns.close();
        }
    }

    private Reconciler reconciler() {
        return new Reconciler(new SystemXtables(netns), StandardExtensions.registry());
    }

    private static DesiredState desired(Family family, String text) throws RulesetSyntaxException {
        return DesiredState.of(new RulesetParser(StandardExtensions.registry(), family,
                NameDatabase.system()).parseWithLines(text),
                StandardExtensions.registry(), "test.rules");
    }

    private String save(Family family) {
        return new Iptables(netns, family).save();
    }

    private void shell(String command) {
        ProcessResult result = netns.run(List.of("sh", "-c", command), "");
        assertThat(result.ok()).as(command + ": " + result.stderr()).isTrue();
    }

    /** The rule lines of one chain in the kernel's dump. */
    private static List<String> rulesOf(String saved, String chain) {
        return saved.lines().filter(l -> l.startsWith("-A " + chain + " ")).toList();
    }

    private static final String FIREWALL = """
            *filter
            :INPUT DROP [0:0]
            :SSH - [0:0]
            :WEB - [0:0]
            -A INPUT -i lo -j ACCEPT
            -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
            -A INPUT -p tcp --dport 22 -j SSH
            -A INPUT -p tcp -m multiport --dports 80,443 -j WEB
            -A SSH -s 192.0.2.0/24 -j ACCEPT
            -A WEB -j ACCEPT
            COMMIT
            """;

    @Test
    void appliesNextToForeignChainsAndLeavesThemIntact() throws Exception {
        shell("iptables -N DOCKER && iptables -A DOCKER -s 172.17.0.0/16 -j ACCEPT && iptables -A FORWARD -j DOCKER"
                + " && iptables -t nat -A POSTROUTING -s 172.17.0.0/16 -j MASQUERADE");
        String nat = new Iptables(netns, Family.IPV4).save(io.rampart.model.Table.NAT);
        reconciler().apply(desired(Family.IPV4, FIREWALL));
        String saved = save(Family.IPV4);
        assertThat(rulesOf(saved, "INPUT")).containsExactly(
                "-A INPUT -i lo -j ACCEPT",
                "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                "-A INPUT -p tcp -m tcp --dport 22 -j SSH",
                "-A INPUT -p tcp -m multiport --dports 80,443 -j WEB");
        assertThat(saved).contains(":INPUT DROP [0:0]");
        assertThat(rulesOf(saved, "DOCKER")).containsExactly("-A DOCKER -s 172.17.0.0/16 -j ACCEPT");
        assertThat(rulesOf(saved, "FORWARD")).containsExactly("-A FORWARD -j DOCKER");
        assertThat(new Iptables(netns, Family.IPV4).save(io.rampart.model.Table.NAT)).isEqualTo(nat);
        assertThat(reconciler().plan(desired(Family.IPV4, FIREWALL)).isEmpty()).isTrue();
    }

    @Test
    void aSecondApplyReadsOnceAndWritesNothing() throws Exception {
        reconciler().apply(desired(Family.IPV4, FIREWALL));
        String before = save(Family.IPV4);
        Path events = Files.createTempFile("rampart-monitor", ".txt");
        Process monitor = new ProcessBuilder(netns.wrap(List.of("nft", "monitor"))).redirectErrorStream(true)
                .redirectOutput(events.toFile()).start();
        try {
            // The monitor has subscribed once it reports a write made after it started. It may start
            // late, so the probe chain is made and removed in turn until one of those writes is reported.
            boolean[] probed = {false};
            Eventually.await("nft monitor reports the probe chain", Duration.ofSeconds(60), () -> {
                if (lines(events).stream().anyMatch(l -> l.contains("PROBE"))) {
                    return true;
                }
                shell(probed[0] ? "iptables -X PROBE" : "iptables -N PROBE");
                probed[0] = !probed[0];
                return false;
            });
            int started = processes.started();
            Reconciler.Applied again = reconciler().apply(desired(Family.IPV4, FIREWALL));
            assertThat(again.written()).isFalse();
            assertThat(processes.started() - started).isEqualTo(1);
            assertThat(save(Family.IPV4).replace(":PROBE - [0:0]\n", "")).isEqualTo(before);
            shell("iptables -A OUTPUT -j ACCEPT"); // the last event: all before it have been written
            Eventually.await("nft monitor reports the OUTPUT rule", Duration.ofSeconds(60),
                    () -> lines(events).stream().anyMatch(l -> l.contains("OUTPUT")));
        } finally {
            monitor.destroy();
            monitor.waitFor();
        }
        List<String> seen = lines(events);
        Files.delete(events);
        assertThat(seen.stream().filter(l -> !l.isBlank()).toList())
                .as("kernel events: the probe, none from a no-op apply, then one write of ours")
                .allMatch(l -> l.contains("PROBE") || l.contains("OUTPUT") || l.startsWith("# "));
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void repairsDriftByPositionAndRemovesChainsTheFileDropped() throws Exception {
        reconciler().apply(desired(Family.IPV4, FIREWALL));
        shell("iptables -D INPUT 2 && iptables -A SSH -j DROP && iptables -N OTHER && iptables -A OTHER -j WEB");
        String next = FIREWALL.replace(":WEB - [0:0]\n", "").replace("-A WEB -j ACCEPT\n", "")
                .replace("-j WEB", "-j ACCEPT");
        var plan = reconciler().plan(desired(Family.IPV4, next));
        assertThat(plan.isEmpty()).isFalse();
        reconciler().apply(desired(Family.IPV4, next));
        String saved = save(Family.IPV4);
        assertThat(rulesOf(saved, "INPUT")).hasSize(4).last().isEqualTo(
                "-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT");
        assertThat(rulesOf(saved, "SSH")).containsExactly("-A SSH -s 192.0.2.0/24 -j ACCEPT");
        assertThat(saved).doesNotContain(":WEB ");
        assertThat(rulesOf(saved, "OTHER")).isEmpty();
        assertThat(saved).contains(":OTHER - [0:0]");
        assertThat(reconciler().plan(desired(Family.IPV4, next)).isEmpty()).isTrue();
    }

    @Test
    void aRefusedApplyLeavesTheKernelAsItWasAndNamesTheLine() throws Exception {
        reconciler().apply(desired(Family.IPV4, FIREWALL));
        String before = save(Family.IPV4);
        String refused = FIREWALL.replace("-A WEB -j ACCEPT", "-A WEB -m set --match-set nosuchset src -j ACCEPT")
                .replace("-A SSH -s 192.0.2.0/24", "-A SSH -s 198.51.100.0/24");
        assertThatThrownBy(() -> reconciler().apply(desired(Family.IPV4, refused)))
                .isInstanceOf(ApplyException.class)
                .hasMessageContaining("test.rules:10:")
                .hasMessageContaining("nosuchset");
        assertThat(save(Family.IPV4)).isEqualTo(before);
    }

    @Test
    void aScriptMakingThousandsOfChainsListsTheTableFirstAndStillNamesTheRefusedLine() throws Exception {
        // A fresh namespace: no filter table yet, so INPUT is made by the script.
        StringBuilder file = new StringBuilder("*filter\n:INPUT DROP [0:0]\n");
        int chains = 5_000;
        for (int i = 0; i < chains; i++) {
            file.append(":C").append(i).append(" - [0:0]\n");
        }
        file.append("-A INPUT -s 192.0.2.0/24 -j C0\n");
        for (int i = 0; i < chains; i++) {
            file.append("-A C").append(i).append(" -s 10.").append(i / 256).append('.').append(i % 256)
                    .append(".0/24 -j ACCEPT\n");
        }
        file.append("COMMIT\n");
        String before = save(Family.IPV4);
        // The last rule (file line 3 + 2 * chains) names a set the kernel does not have.
        String refused = file.toString().replace("-A C4999 -s 10.19.135.0/24 -j ACCEPT",
                "-A C4999 -m set --match-set nosuchset src -j ACCEPT");
        assertThat(reconciler().plan(desired(Family.IPV4, refused)).script())
                .startsWith("*filter\n:INPUT - [0:0]\n-S\n:C0 - [0:0]\n");
        assertThatThrownBy(() -> reconciler().apply(desired(Family.IPV4, refused)))
                .isInstanceOf(ApplyException.class)
                .hasMessageContaining("test.rules:" + (3 + 2 * chains) + ":")
                .hasMessageContaining("nosuchset");
        assertThat(save(Family.IPV4)).isEqualTo(before);

        reconciler().apply(desired(Family.IPV4, file.toString()));
        String saved = save(Family.IPV4);
        assertThat(saved).contains(":INPUT DROP [0:0]");
        assertThat(rulesOf(saved, "INPUT")).containsExactly("-A INPUT -s 192.0.2.0/24 -j C0");
        assertThat(rulesOf(saved, "C0")).containsExactly("-A C0 -s 10.0.0.0/24 -j ACCEPT");
        assertThat(rulesOf(saved, "C4999")).containsExactly("-A C4999 -s 10.19.135.0/24 -j ACCEPT");
        assertThat(saved.lines().filter(l -> l.startsWith("-A C")).count()).isEqualTo(chains);
        assertThat(reconciler().plan(desired(Family.IPV4, file.toString())).isEmpty()).isTrue();
    }

    @Test
    void ipv6IsReconciledWithoutTouchingIpv4() throws Exception {
        reconciler().apply(desired(Family.IPV4, FIREWALL));
        String ipv4 = save(Family.IPV4);
        reconciler().apply(desired(Family.IPV6, """
                *filter
                :INPUT DROP [0:0]
                :ICMP - [0:0]
                -A INPUT -p ipv6-icmp -j ICMP
                -A INPUT -s 2001:db8::/32 -p tcp --dport 22 -j ACCEPT
                -A ICMP -p icmpv6 --icmpv6-type echo-request -j ACCEPT
                COMMIT
                """));
        assertThat(save(Family.IPV4)).isEqualTo(ipv4);
        assertThat(rulesOf(save(Family.IPV6), "ICMP"))
                .containsExactly("-A ICMP -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT");
    }

    private static final String SHARED_FORWARD = """
            *filter
            # rampart: shared FORWARD head
            -A FORWARD -s 10.9.0.0/16 -j DROP
            -A FORWARD -p tcp --dport 25 -j REJECT
            COMMIT
            """;

    @Test
    void aSharedChainKeepsForeignRulesAndOurBlockAtItsHead() throws Exception {
        shell("iptables -N DOCKER && iptables -A FORWARD -j DOCKER && iptables -A FORWARD -o docker0 -j ACCEPT"
                + " && iptables -P FORWARD DROP");
        reconciler().apply(desired(Family.IPV4, SHARED_FORWARD));
        assertThat(rulesOf(save(Family.IPV4), "FORWARD")).containsExactly(
                "-A FORWARD -s 10.9.0.0/16 -j DROP",
                "-A FORWARD -p tcp -m tcp --dport 25 -j REJECT --reject-with icmp-port-unreachable",
                "-A FORWARD -j DOCKER",
                "-A FORWARD -o docker0 -j ACCEPT");
        assertThat(save(Family.IPV4)).as("a shared chain without a policy line keeps its policy")
                .contains(":FORWARD DROP [0:0]");
        assertThat(reconciler().plan(desired(Family.IPV4, SHARED_FORWARD)).isEmpty()).isTrue();

        shell("iptables -A FORWARD -i docker0 -j ACCEPT");
        assertThat(reconciler().plan(desired(Family.IPV4, SHARED_FORWARD)).isEmpty())
                .as("a rule another tool appends is not drift").isTrue();

        reconciler().apply(desired(Family.IPV4, SHARED_FORWARD.replace("--dport 25", "--dport 587")));
        assertThat(rulesOf(save(Family.IPV4), "FORWARD")).containsExactly(
                "-A FORWARD -s 10.9.0.0/16 -j DROP",
                "-A FORWARD -p tcp -m tcp --dport 587 -j REJECT --reject-with icmp-port-unreachable",
                "-A FORWARD -j DOCKER",
                "-A FORWARD -o docker0 -j ACCEPT",
                "-A FORWARD -i docker0 -j ACCEPT");
    }

    @Test
    void aSharedTailBlockAndItsRelease() throws Exception {
        shell("iptables -A INPUT -s 192.0.2.7 -j ACCEPT");
        String tail = "*filter\n# rampart: shared INPUT tail\n-A INPUT -j LOG\n-A INPUT -j DROP\nCOMMIT\n";
        reconciler().apply(desired(Family.IPV4, tail));
        shell("iptables -A INPUT -s 192.0.2.8 -j ACCEPT");
        reconciler().apply(desired(Family.IPV4, tail));
        assertThat(rulesOf(save(Family.IPV4), "INPUT")).containsExactly(
                "-A INPUT -s 192.0.2.7/32 -j ACCEPT", "-A INPUT -s 192.0.2.8/32 -j ACCEPT", "-A INPUT -j LOG",
                "-A INPUT -j DROP");
        reconciler().apply(desired(Family.IPV4, "*filter\nCOMMIT\n"));
        String saved = save(Family.IPV4);
        assertThat(rulesOf(saved, "INPUT")).containsExactly(
                "-A INPUT -s 192.0.2.7/32 -j ACCEPT", "-A INPUT -s 192.0.2.8/32 -j ACCEPT");
        assertThat(saved).doesNotContain("RAMPART-MANAGED");
    }

    /** The jump in a released block and the chain it leads to go in one restore, each deleted once. */
    @Test
    void aReleasedBlockJumpingToARemovedChainGoesWithIt() throws Exception {
        shell("iptables -t nat -A PREROUTING -s 192.0.2.9 -j ACCEPT");
        reconciler().apply(desired(Family.IPV4, "*nat\n:LB - [0:0]\n# rampart: shared PREROUTING head\n"
                + "-A PREROUTING -p tcp --dport 80 -j LB\n-A LB -p tcp -j DNAT --to-destination 10.0.0.1:80\n"
                + "COMMIT\n"));
        reconciler().apply(desired(Family.IPV4, ""));
        String saved = save(Family.IPV4);
        assertThat(rulesOf(saved, "PREROUTING")).containsExactly("-A PREROUTING -s 192.0.2.9/32 -j ACCEPT");
        assertThat(saved).doesNotContain(":LB ").doesNotContain("RAMPART-MANAGED");
    }

    @Test
    void aFileCannotDeclareTheBookkeepingChain() throws Exception {
        assertThatThrownBy(() -> reconciler().apply(desired(Family.IPV4,
                "*filter\n:RAMPART-MANAGED - [0:0]\nCOMMIT\n"))).isInstanceOf(PlanException.class);
    }

    /**
     * From random live states (with foreign chains) to random desired states, in one apply; what
     * the managed chains must hold is what the kernel makes of the desired text restored into a
     * namespace of its own.
     */
    @Test
    void convergesFromRandomStatesToRandomStates() throws Exception {
        Random random = new Random(7);
        try (Netns reference = Netns.throwaway("reconcile-ref", ProcessRunner.system())) {
            Iptables referenceKernel = new Iptables(reference, Family.IPV4);
            for (int round = 0; round < 25; round++) {
                String first = randomRuleset(random);
                reconciler().apply(desired(Family.IPV4, first));
                scramble(random);
                String foreign = foreignRules();
                String second = randomRuleset(random);
                reconciler().apply(desired(Family.IPV4, second));
                assertThat(reconciler().plan(desired(Family.IPV4, second)).isEmpty())
                        .as("round %d:%n%s", round, second).isTrue();
                assertThat(foreignRules()).as("foreign chains, round %d", round).isEqualTo(foreign);
                ProcessResult restored = referenceKernel.restore(second, false);
                assertThat(restored.ok()).as("reference restore, round %d: %s", round, restored.stderr()).isTrue();
                assertThat(managedChains(new Iptables(netns, Family.IPV4).save(Table.FILTER)))
                        .as("round %d:%n%s", round, second)
                        .isEqualTo(managedChains(referenceKernel.save(Table.FILTER)));
            }
        }
    }

    private static final List<String> MANAGED_CHAINS = List.of("INPUT", "OUTPUT", "C1", "C2", "C3");

    /** The managed chains' declarations (counters left out) and rules in one table's dump. */
    private static List<String> managedChains(String saved) {
        return saved.lines()
                .filter(l -> MANAGED_CHAINS.stream().anyMatch(c -> l.startsWith(":" + c + " ") || l.startsWith("-A " + c + " ")))
                .map(l -> l.replaceFirst("^(:\\S+ \\S+) \\[\\d+:\\d+\\]$", "$1"))
                .toList();
    }

    /** Rules in chains nobody but the test touches: FOREIGN and its jump from FORWARD. */
    private String foreignRules() {
        return save(Family.IPV4).lines().filter(l -> l.startsWith("-A FOREIGN") || l.startsWith("-A FORWARD"))
                .collect(Collectors.joining("\n"));
    }

    private void scramble(Random random) {
        netns.run(List.of("sh", "-c", "iptables -N FOREIGN 2>/dev/null; iptables -F FOREIGN;"
                + " iptables -A FOREIGN -s 10." + random.nextInt(255) + ".0.0/16 -j ACCEPT;"
                + " iptables -C FORWARD -j FOREIGN 2>/dev/null || iptables -A FORWARD -j FOREIGN;"
                + (random.nextBoolean() ? " iptables -D INPUT 1 2>/dev/null;" : "")
                + (random.nextBoolean() ? " iptables -I INPUT 1 -s 203.0.113.9 -j DROP;" : "")
                + (random.nextBoolean() ? " iptables -P INPUT ACCEPT;" : "")), "");
    }

    private static final List<String> RULE_POOL = List.of(
            "-s 10.0.0.0/8 -j ACCEPT", "-p tcp --dport 22 -j ACCEPT", "-p udp --dport 53 -j ACCEPT",
            "-s 127.0.0.1 -j ACCEPT", "-m conntrack --ctstate INVALID -j DROP", "-p icmp --icmp-type 8 -j ACCEPT",
            "-d 192.0.2.1 -j REJECT", "-m comment --comment \"a note\" -j RETURN", "-p tcp --syn -j LOG",
            "-m limit --limit 5/min -j LOG --log-prefix \"x: \"");

    private static String randomRuleset(Random random) {
        List<String> chains = new ArrayList<>();
        for (String chain : List.of("C1", "C2", "C3")) {
            if (random.nextBoolean()) {
                chains.add(chain);
            }
        }
        StringBuilder out = new StringBuilder("*filter\n");
        out.append(":INPUT ").append(random.nextBoolean() ? "ACCEPT" : "DROP").append(" [0:0]\n");
        out.append(":OUTPUT ACCEPT [0:0]\n");
        chains.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        List<String> all = new ArrayList<>(List.of("INPUT", "OUTPUT"));
        all.addAll(chains);
        for (String chain : all) {
            int count = random.nextInt(6);
            for (int i = 0; i < count; i++) {
                if (!chains.isEmpty() && random.nextInt(5) == 0 && !chain.startsWith("C")) {
                    out.append("-A ").append(chain).append(" -j ").append(chains.get(random.nextInt(chains.size())))
                            .append('\n');
                } else {
                    out.append("-A ").append(chain).append(' ').append(RULE_POOL.get(random.nextInt(RULE_POOL.size())))
                            .append('\n');
                }
            }
        }
        return out.append("COMMIT\n").toString();
    }

}
