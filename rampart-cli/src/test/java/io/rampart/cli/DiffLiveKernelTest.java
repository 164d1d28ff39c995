package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code diff} with the kernel as a side: a file applied into a throwaway namespace is equivalent to
 * the ruleset iptables-save reads back, and a rule inserted by hand with {@code iptables -I} is the
 * difference, its counterexample decided as diff says by the tracer on both sides.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DiffLiveKernelTest {

    private static final Path EXAMPLE = Path.of("../examples/host-firewall.rules");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Netns netns;
    private static String name;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        KernelTestSupport.requireKernel();
        netns = Netns.throwaway("difflive", ProcessRunner.system());
        name = netns.name().orElseThrow();
        // The counterexamples go to 198.51.100.1: local here, so the live trace routes them to INPUT.
        netns.run(List.of("ip", "link", "add", "d0", "type", "veth", "peer", "name", "d1"), "");
        netns.run(List.of("ip", "addr", "add", "198.51.100.1/24", "dev", "d0"), "");
        netns.run(List.of("ip", "link", "set", "d0", "up"), "");
    }

    @AfterAll
    static void stop() {
        if (netns != null) {
            netns.close();
        }
    }

    private static void apply(Netns into, String file) {
        Run applied = Run.of("apply", "--netns", into.name().orElseThrow(), file);
        assertThat(applied.exitCode()).as(applied.err()).isZero();
    }

    @Test
    void anAppliedFileIsEquivalentToTheLiveRulesetUntilARuleIsInsertedByHand() throws Exception {
        String example = EXAMPLE.toString();
        apply(netns, example);
        Run same = Run.of("diff", example, "--netns", name);
        assertThat(same.exitCode()).as(same.err() + same.out()).isZero();
        assertThat(same.out()).isEqualTo("equivalent: " + example + " and the live ruleset of " + name
                + " decide every packet alike\n");
        Run sameFirst = Run.of("diff", "--netns", name, example);
        assertThat(sameFirst.exitCode()).as(sameFirst.err() + sameFirst.out()).isZero();
        assertThat(sameFirst.out()).startsWith("equivalent: the live ruleset of " + name + " and " + example);

        netns.run(List.of("iptables", "-w", "-I", "INPUT", "1", "-p", "tcp", "--dport", "8080", "-j", "ACCEPT"), "");
        Run differs = Run.of("diff", "--json", example, "live@" + name);
        assertThat(differs.exitCode()).as(differs.err() + differs.out()).isEqualTo(ExitCode.DRIFT);
        JsonNode json = JSON.readTree(differs.out());
        assertThat(json.path("equivalent").asBoolean()).isFalse();
        // New connections to 8080 were rejected by LOGDROP, invalid ones dropped by the INVALID rule:
        // the inserted rule now accepts both, everything else reaches the file's rules as before.
        JsonNode differences = json.path("differences");
        assertThat(differences).hasSize(2);
        assertThat(differences.get(0).path("region").asText())
                .isEqualTo("tcp, in on any interface but lo, state NEW, UNTRACKED, port 8080");
        assertThat(differences.get(0).path("a").path("verdict").asText()).isEqualTo("REJECT --reject-with tcp-reset");
        assertThat(differences.get(1).path("region").asText())
                .isEqualTo("tcp, in on any interface but lo, state INVALID, port 8080");
        assertThat(differences.get(1).path("a").path("verdict").asText()).isEqualTo("DROP");
        for (JsonNode d : differences) {
            assertThat(d.path("chain").asText()).isEqualTo("INPUT");
            assertThat(d.path("traced").asBoolean()).isTrue();
            assertThat(d.path("b").path("verdict").asText()).isEqualTo("ACCEPT");
            assertThat(d.path("b").path("where").asText()).isEqualTo("live@" + name + ":filter/INPUT#1");
            assertThat(d.path("a").path("where").asText()).startsWith(example + ":");

            // The counterexample through the tracer, live and from the file: the verdicts diff named.
            List<String> flags = flags(d.path("packet"));
            JsonNode live = trace(flags, "--netns", name);
            assertThat(live.path("verdict").asText()).isEqualTo("ACCEPT");
            JsonNode liveLast = live.path("steps").get(live.path("steps").size() - 1);
            assertThat(liveLast.path("chain").asText() + "#" + liveLast.path("rule").asInt()).isEqualTo("INPUT#1");
            JsonNode file = trace(flags, "--rules", example, "--netns", name);
            // REJECT drops the packet (and answers it), as the kernel's trace says.
            assertThat(file.path("verdict").asText()).isEqualTo("DROP");
            JsonNode last = file.path("steps").get(file.path("steps").size() - 1);
            assertThat(last.path("source").asText()).isEqualTo(d.path("a").path("where").asText());
        }

        Run text = Run.of("diff", example, "--netns", name);
        assertThat(text.exitCode()).isEqualTo(ExitCode.DRIFT);
        assertThat(text.out()).contains("  live@" + name + ": ACCEPT by live@" + name
                + ":filter/INPUT#1 (INPUT rule 1)\n");
    }

    @Test
    void twoNamespacesCompare() throws Exception {
        String a = TestFiles.write(dir, "a.rules", """
                *filter
                :INPUT DROP [0:0]
                -A INPUT -p tcp --dport 22 -j ACCEPT
                -A INPUT -p tcp --dport 80 -j ACCEPT
                COMMIT
                """);
        String b = TestFiles.write(dir, "b.rules", """
                *filter
                :INPUT DROP [0:0]
                :WEB - [0:0]
                -A INPUT -p tcp -j WEB
                -A WEB -p tcp -m multiport --dports 80,22 -j ACCEPT
                COMMIT
                """);
        try (Netns one = Netns.throwaway("difflive", ProcessRunner.system());
             Netns other = Netns.throwaway("difflive", ProcessRunner.system())) {
            compare(one, a, other, b);
        }
    }

    private static void compare(Netns one, String a, Netns other, String b) {
        String first = "live@" + one.name().orElseThrow();
        String second = "live@" + other.name().orElseThrow();
        apply(one, a);
        apply(other, b);
        Run same = Run.of("diff", first, second);
        assertThat(same.exitCode()).as(same.err() + same.out()).isZero();
        other.run(List.of("iptables", "-w", "-D", "WEB", "1"), "");
        other.run(List.of("iptables", "-w", "-A", "WEB", "-p", "tcp", "--dport", "22", "-j", "ACCEPT"), "");
        Run differs = Run.of("diff", first, second);
        assertThat(differs.exitCode()).as(differs.err() + differs.out()).isEqualTo(ExitCode.DRIFT);
        assertThat(differs.out()).contains("INPUT: tcp, port 80\n")
                .contains("  " + first + ": ACCEPT by " + first + ":filter/INPUT#2 (INPUT rule 2)\n")
                .contains("  " + second + ": DROP by policy of INPUT\n");
    }

    @Test
    void aMissingNamespaceIsAClearError() {
        Run run = Run.of("diff", "live@rampart-no-such-namespace", EXAMPLE.toString());
        assertThat(run.exitCode()).isNotZero().isNotEqualTo(ExitCode.DRIFT);
        assertThat(run.err()).contains("rampart-no-such-namespace");
        assertThat(run.out()).isEmpty();
    }

    /** The packet of a difference as trace's flags. */
    private static List<String> flags(JsonNode packet) {
        List<String> flags = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = packet.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            flags.add("--" + field.getKey().replace('_', '-'));
            if (!field.getKey().equals("local")) {
                flags.add(field.getValue().asText());
            }
        }
        return flags;
    }

    /** Traces the packet of {@code flags} on the host of the namespace, through the rules {@code source} names. */
    private static JsonNode trace(List<String> flags, String... source) throws Exception {
        List<String> args = new ArrayList<>(List.of("trace", "--json"));
        args.addAll(List.of(source));
        args.addAll(flags);
        Run run = Run.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.err()).isZero();
        return JSON.readTree(run.out());
    }
}
