package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code rampart agent} as a real process in a throwaway namespace, stopped by signals. */
@Timeout(120)
class AgentCommandTest {

    private static final String FIREWALL = """
            *filter
            :INPUT ACCEPT [0:0]
            -A INPUT -i lo -j ACCEPT
            -A INPUT -p tcp --dport 22 -j ACCEPT
            COMMIT
            """;

    @TempDir
    Path directory;

    private Path file;
    private Netns netns;

    @BeforeEach
    void start() throws IOException {
        KernelTestSupport.requireKernel();
        netns = Netns.throwaway("agent-cli", ProcessRunner.system());
        file = directory.resolve("firewall.rules");
        Files.writeString(file, FIREWALL);
    }

    @AfterEach
    void stop() {
        if (netns != null) {
            netns.close();
        }
    }

    private String name() {
        return netns.name().orElseThrow();
    }

    /** {@code rampart agent ARGS} in a JVM of its own, so that it can be signalled. */
    private Process agent(String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "agent", "--netns", name()));
        command.addAll(List.of(args));
        command.add(file.toString());
        return Run.cleanEnvironment(new ProcessBuilder(command)).start();
    }

    /** Sends a signal with kill(1): Process.destroy would also close the streams still to be read. */
    private static void signal(Process process, String signal) {
        ProcessRunner.system().run(List.of("kill", "-" + signal, Long.toString(process.pid())), "");
    }

    private void deleteFirstInputRule() {
        ProcessResult deleted = netns.run(List.of("iptables", "-D", "INPUT", "1"), "");
        assertThat(deleted.ok()).as(deleted.stderr()).isTrue();
    }

    private String processesInNamespace() {
        return ProcessRunner.system().run(List.of("ip", "netns", "pids", name()), "").stdout().strip();
    }

    @Test
    void logsEachEventOnStderrAndExitsZeroOnSigterm() throws Exception {
        Process agent = agent();
        try (BufferedReader log = agent.errorReader(StandardCharsets.UTF_8)) {
            assertThat(log.readLine()).contains(" started: enforcing " + file + " (ipv4, netns " + name() + ");"
                    + " watching nf_tables change events (nft monitor)");
            assertThat(log.readLine()).endsWith(" applied: " + file + ": 1 chain, 2 rules (2 added, 0 removed,"
                    + " 0 replaced) in filter INPUT");
            deleteFirstInputRule();
            assertThat(log.readLine()).endsWith(" repaired: 1 chain, 1 rule (1 added, 0 removed, 0 replaced)"
                    + " in filter INPUT");
            signal(agent, "TERM");
            assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(log.readLine()).endsWith(" stopped: stopped watching " + file);
            assertThat(log.readLine()).isNull();
            assertThat(new String(agent.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
        } finally {
            agent.destroyForcibly();
        }
        assertThat(agent.exitValue()).isZero();
        assertThat(processesInNamespace()).isEmpty();
    }

    @Test
    void printsOneJsonObjectPerEventAndExitsZeroOnSigint() throws Exception {
        Process agent = agent("--json");
        ObjectMapper json = new ObjectMapper();
        try (BufferedReader out = agent.inputReader(StandardCharsets.UTF_8)) {
            assertThat(json.readTree(out.readLine()).get("event").asText()).isEqualTo("started");
            assertThat(json.readTree(out.readLine()).get("event").asText()).isEqualTo("applied");
            deleteFirstInputRule();
            JsonNode repaired = json.readTree(out.readLine());
            assertThat(repaired.get("event").asText()).isEqualTo("repaired");
            assertThat(repaired.at("/chains/0").asText()).isEqualTo("filter INPUT");
            assertThat(repaired.at("/changes/0/rules/0/rule").asText()).isEqualTo("-A INPUT -i lo -j ACCEPT");
            signal(agent, "INT");
            assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(json.readTree(out.readLine()).get("event").asText()).isEqualTo("stopped");
            assertThat(out.readLine()).isNull();
            assertThat(new String(agent.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
        } finally {
            agent.destroyForcibly();
        }
        assertThat(agent.exitValue()).isZero();
    }

    /** Takes the agent's log lines until one with {@code wanted}; null when none comes within 20 s. */
    private static String awaitLine(BlockingQueue<String> log, String wanted) throws InterruptedException {
        String line = log.poll(20, TimeUnit.SECONDS);
        while (line != null && !line.contains(wanted)) {
            line = log.poll(20, TimeUnit.SECONDS);
        }
        return line;
    }

    private String inputRules() {
        return netns.run(List.of("iptables", "-S", "INPUT"), "").stdout();
    }

    /** Starts the agent on {@code main}, lets {@code change} act once it applied, and returns the kernel's INPUT after. */
    private String inputAfter(Path main, IoAction change) throws Exception {
        file = main;
        Process agent = agent();
        BlockingQueue<String> log = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try {
                agent.errorReader(StandardCharsets.UTF_8).lines().forEach(log::add);
            } catch (UncheckedIOException closed) {
                // the agent was stopped and its stream closed
            }
        });
        reader.start();
        try {
            assertThat(awaitLine(log, " applied: ")).isNotNull();
            change.run();
            assertThat(awaitLine(log, " applied: ")).as("applied after the change").isNotNull();
            return inputRules();
        } finally {
            agent.destroy();
            agent.waitFor();
            reader.join();
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    /**
     * A main file that includes {@code include}, which reads a web rule in {@code part} of directory
     * {@code parts}; the kernel's INPUT after the agent started on it and {@code changed} got {@code rule}.
     */
    private String inputAfterIncludeChanged(String parts, String part, String include, String changed, String rule)
            throws Exception {
        Path dir = Files.createDirectories(directory.resolve(parts));
        Files.writeString(dir.resolve(part), "-A INPUT -p tcp --dport 80 -j ACCEPT\n");
        Path main = Files.writeString(directory.resolve("main.rules"),
                "*filter\n:INPUT ACCEPT [0:0]\ninclude \"" + include + "\"\nCOMMIT\n");
        return inputAfter(main, () -> Files.writeString(dir.resolve(changed), rule + "\n"));
    }

    @Test
    void anEditToAnIncludedFileIsApplied() throws Exception {
        assertThat(inputAfterIncludeChanged("parts", "web.rules", "parts/web.rules", "web.rules",
                "-A INPUT -p tcp --dport 443 -j ACCEPT"))
                .contains("-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT").doesNotContain("--dport 80 ");
    }

    @Test
    void aNewFileMatchingAnIncludeGlobIsApplied() throws Exception {
        assertThat(inputAfterIncludeChanged("rules.d", "10-web.rules", "rules.d/*.rules", "20-dns.rules",
                "-A INPUT -p udp --dport 53 -j ACCEPT"))
                .contains("-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\n-A INPUT -p udp -m udp --dport 53 -j ACCEPT\n");
    }

    @Test
    void aConfigMapStyleSymlinkSwapIsApplied() throws Exception {
        // As the kubelet lays out a ConfigMap volume: the file is a link through ..data, itself a link
        // to a timestamped directory; an update writes a new directory and renames a new ..data over the old.
        Path volume = Files.createDirectories(directory.resolve("config"));
        Path first = Files.createDirectories(volume.resolve("..2026_12_01_10_00_00.1"));
        Files.writeString(first.resolve("firewall.rules"), FIREWALL);
        Files.createSymbolicLink(volume.resolve("..data"), first.getFileName());
        Files.createSymbolicLink(volume.resolve("firewall.rules"), Path.of("..data/firewall.rules"));
        String after = inputAfter(volume.resolve("firewall.rules"), () -> {
            Path second = Files.createDirectories(volume.resolve("..2026_12_01_10_05_00.2"));
            Files.writeString(second.resolve("firewall.rules"), FIREWALL.replace("--dport 22", "--dport 2222"));
            Files.createSymbolicLink(volume.resolve("..data_tmp"), second.getFileName());
            Files.move(volume.resolve("..data_tmp"), volume.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
            Files.delete(first.resolve("firewall.rules"));
            Files.delete(first);
        });
        assertThat(after).contains("-A INPUT -p tcp -m tcp --dport 2222 -j ACCEPT").doesNotContain("--dport 22 ");
    }

    @Test
    void aFileThatDoesNotParseIsBadInputAndNothingIsApplied() throws IOException {
        Files.writeString(file, FIREWALL.replace("--dport 22", "--dprot 22"));
        Run run = Run.of("agent", "--netns", name(), file.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(run.err()).startsWith("rampart: " + file + ":4:").contains("did you mean --dport?");
        assertThat(netns.run(List.of("iptables-save"), "").stdout()).doesNotContain("-A INPUT");
    }
}
