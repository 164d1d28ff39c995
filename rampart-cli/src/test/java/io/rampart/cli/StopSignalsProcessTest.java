package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent} and {@code serve} as real processes stopped by SIGTERM and SIGINT: they exit with 0
 * and every other shutdown hook of the JVM runs to its end (here one that removes a namespace).
 */
@Timeout(120)
class StopSignalsProcessTest {

    @TempDir
    Path dir;

    /** Starts {@code rampart ARGS} under {@link HookedMain}, signals it once {@code ready} is printed, waits for it. */
    private void stopsCleanly(String signal, String ready, boolean readyOnStdout, String... args) throws Exception {
        KernelTestSupport.requireKernel();
        Netns netns = Netns.throwaway("hook", ProcessRunner.system());
        String name = netns.name().orElseThrow();
        Path marker = dir.resolve("marker");
        // A JVM started with SIGINT ignored (under nohup, or as a background job of a script) keeps it
        // ignored, as a shell's jobs should: the command starts with both signals at their defaults.
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT,TERM",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"), HookedMain.class.getName(), name,
                marker.toString()));
        for (String arg : args) {
            command.add(arg.replace("NETNS", name));
        }
        Process process = Run.cleanEnvironment(new ProcessBuilder(command)).start();
        try (BufferedReader output = readyOnStdout ? process.inputReader(StandardCharsets.UTF_8)
                : process.errorReader(StandardCharsets.UTF_8)) {
            String line = output.readLine();
            while (line != null && !line.contains(ready)) {
                line = output.readLine();
            }
            assertThat(line).as("the command started").isNotNull();
            ProcessRunner.system().run(List.of("kill", "-" + signal, Long.toString(process.pid())), "");
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            process.destroyForcibly();
            netns.close();
        }
        assertThat(process.exitValue()).isZero();
        assertThat(marker).as("the other shutdown hook ran to its end").exists();
        assertThat(Files.readString(marker)).isEqualTo("removed " + name + "\n");
        assertThat(ProcessRunner.system().run(List.of("ip", "netns", "list"), "").stdout()).doesNotContain(name);
    }

    @Test
    void theAgentStopsOnSigtermAndLetsOtherShutdownHooksFinish() throws Exception {
        Path file = dir.resolve("firewall.rules");
        Files.writeString(file, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n");
        stopsCleanly("TERM", " applied: ", false, "agent", "--netns", "NETNS", file.toString());
    }

    @Test
    void theServerStopsOnSigintAndLetsOtherShutdownHooksFinish() throws Exception {
        stopsCleanly("INT", "serving http://127.0.0.1:", true, "serve", "--netns", "NETNS", "--listen",
                "127.0.0.1:0", "--token-file", dir.resolve("token").toString());
    }
}
