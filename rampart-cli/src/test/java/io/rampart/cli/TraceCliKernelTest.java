package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * trace against a throwaway namespace: a ruleset file whose apply-time values are looked up inside
 * it, and the live ruleset of the namespace.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TraceCliKernelTest {

    private static Netns netns;
    private static String name;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        netns = KernelTestSupport.namespaceWithInterface("trace", "rp0", "10.9.8.7/24");
        name = netns.name().orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (netns != null) {
            netns.close();
        }
    }

    private static Run run(String... args) {
        return Run.of(args);
    }

    @Test
    void addrValuesOfAFileAreThoseOfTheNamespaceAndSoIsTheHost() throws Exception {
        Path file = dir.resolve("ns.rules");
        Files.writeString(file, """
                *filter
                :INPUT DROP [0:0]
                -A INPUT -d @addr(rp0) -p tcp --dport 22 -j ACCEPT
                COMMIT
                """);
        Run r = run("trace", "--netns", name, "--rules", file.toString(), "--in", "eth9", "--src", "10.9.8.1",
                "--dst", "10.9.8.7", "--dport", "22", "--json");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(0);
        JsonNode step = new ObjectMapper().readTree(r.out()).get("steps").get(0);
        assertThat(step.get("chain").asText()).isEqualTo("INPUT");
        assertThat(step.get("text").asText()).isEqualTo("-A INPUT -d 10.9.8.7/32 -p tcp -m tcp --dport 22 -j ACCEPT");
        assertThat(step.get("source").asText()).isEqualTo(file + ":3");
        Run missing = run("trace", "--rules", file.toString().replace("ns.rules", "gone.rules"), "--netns", name,
                "--src", "10.9.8.1", "--dst", "10.9.8.7");
        assertThat(missing.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        Files.writeString(file, "*filter\n-A INPUT -d @addr(rp9) -j ACCEPT\nCOMMIT\n");
        Run noInterface = run("trace", "--netns", name, "--rules", file.toString(), "--src", "10.9.8.1", "--dst",
                "10.9.8.7");
        assertThat(noInterface.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(noInterface.err()).contains(file + ":2:", "rp9");
    }

    @Test
    void liveTracesHaveNoSource() throws Exception {
        ProcessResult restored = netns.run(List.of("iptables-restore"), """
                *filter
                :INPUT DROP [0:0]
                :FORWARD DROP [0:0]
                :OUTPUT ACCEPT [0:0]
                -A INPUT -p tcp --dport 80 -j ACCEPT
                COMMIT
                """);
        assertThat(restored.ok()).as(restored.stderr()).isTrue();
        Run r = run("trace", "--netns", name, "--in", "eth9", "--src", "10.9.8.1", "--dst", "10.9.8.7", "--json");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(0);
        JsonNode step = new ObjectMapper().readTree(r.out()).get("steps").get(0);
        assertThat(step.get("text").asText()).isEqualTo("-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT");
        assertThat(step.get("source").isNull()).isTrue();
    }
}
