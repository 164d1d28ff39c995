package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capabilities the agent and serve units leave (CapabilityBoundingSet, AmbientCapabilities,
 * NoNewPrivileges, read from the unit files) are enough to read and write netfilter and to watch it
 * with {@code nft monitor}: each command runs under {@code setpriv} with exactly those, inside a
 * throwaway namespace, as root the way the units run. Without them the same apply is refused.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UnitSandboxKernelTest {

    private static final String RULES = """
            *filter
            :INPUT DROP [0:0]
            -A INPUT -i lo -j ACCEPT
            -A INPUT -p tcp --dport 22 -j ACCEPT
            COMMIT
            """;

    private Netns netns;

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        KernelTestSupport.requireTools("setpriv", "nft", "timeout");
        netns = Netns.throwaway("sandbox", ProcessRunner.system());
    }

    @AfterEach
    void stop() {
        if (netns != null) {
            netns.close();
        }
    }

    @Test
    void theAgentUnitsCapabilitiesApplyAndWatch() throws IOException {
        checkUnit("rampart-agent.service");
    }

    @Test
    void theServeUnitsCapabilitiesApplyAndWatch() throws IOException {
        checkUnit("rampart-serve.service");
    }

    @Test
    void withoutThemTheKernelRefuses() throws IOException {
        Path file = Files.writeString(dir.resolve("host.rules"), RULES);
        ProcessResult refused = sandboxed(List.of("-all"), false, rampart("apply", file.toString()));
        assertThat(refused.exitCode()).as(refused.stdout() + refused.stderr()).isEqualTo(ExitCode.SYSTEM);
    }

    private void checkUnit(String name) throws IOException {
        UnitFile unit = UnitFile.of(name);
        List<String> bounding = capabilities(unit.value("Service", "CapabilityBoundingSet"));
        assertThat(capabilities(unit.value("Service", "AmbientCapabilities"))).isEqualTo(bounding);
        boolean noNewPrivileges = unit.value("Service", "NoNewPrivileges").equals("yes");
        Path file = Files.writeString(dir.resolve("host.rules"), RULES);

        ProcessResult applied = sandboxed(bounding, noNewPrivileges, rampart("apply", file.toString()));
        assertThat(applied.exitCode()).as(applied.stdout() + applied.stderr()).isZero();
        ProcessResult status = sandboxed(bounding, noNewPrivileges, rampart("status", file.toString()));
        assertThat(status.exitCode()).as(status.stdout() + status.stderr()).isZero();
        assertThat(netns.run(List.of("iptables-save", "-t", "filter"), "").stdout())
                .contains("-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT");
        // The agent's watch: nft monitor runs until timeout stops it (124) rather than failing at once.
        ProcessResult watched = sandboxed(bounding, noNewPrivileges, List.of("timeout", "2", "nft", "monitor"));
        assertThat(watched.exitCode()).as(watched.stderr()).isEqualTo(124);
    }

    /** {@code CAP_NET_ADMIN CAP_NET_RAW} as setpriv's {@code +net_admin}, {@code +net_raw}. */
    private static List<String> capabilities(String value) {
        return Arrays.stream(value.split("\\s+")).map(c -> "+" + c.replaceFirst("^CAP_", "").toLowerCase(Locale.ROOT))
                .toList();
    }

    private static List<String> rampart(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** {@code command} in the namespace with only {@code capabilities} (e.g. {@code +net_admin}), as root. */
    private ProcessResult sandboxed(List<String> capabilities, boolean noNewPrivileges, List<String> command) {
        String set = "-all" + (capabilities.equals(List.of("-all")) ? "" : "," + String.join(",", capabilities));
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--bounding-set=" + set, "--inh-caps=" + set,
                "--ambient-caps=" + set));
        if (noNewPrivileges) {
            wrapped.add("--no-new-privs");
        }
        wrapped.addAll(command);
        return netns.run(wrapped, "");
    }
}
