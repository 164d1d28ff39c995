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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The boot unit's command, exactly as its {@code ExecStart=} says, against a throwaway namespace: a
 * good file is applied; a broken one leaves the fallback in the kernel.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BootUnitKernelTest {

    private static final String ETC = "/etc/rampart/";

    /** What the kernel holds in filter after the shipped fallback, as iptables-save prints it. */
    private static final List<String> FALLBACK_IPV4 = List.of(
            ":INPUT DROP",
            ":FORWARD DROP",
            ":OUTPUT ACCEPT",
            "-A INPUT -i lo -j ACCEPT",
            "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT");
    private static final List<String> FALLBACK_IPV6 = List.of(
            ":INPUT DROP",
            ":FORWARD DROP",
            ":OUTPUT ACCEPT",
            "-A INPUT -i lo -j ACCEPT",
            "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT",
            "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 136 -j ACCEPT",
            "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 134 -j ACCEPT",
            "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT");

    private Netns netns;

    @TempDir
    Path etc;

    @BeforeEach
    void start() throws IOException {
        KernelTestSupport.requireKernel();
        netns = Netns.throwaway("boot", ProcessRunner.system());
        Files.copy(UnitFile.PACKAGING.resolve("etc/fallback.rules"), etc.resolve("fallback.rules"));
    }

    @AfterEach
    void stop() {
        if (netns != null) {
            netns.close();
        }
    }

    @Test
    void reloadRunsTheBootCommand() throws IOException {
        UnitFile unit = UnitFile.of("rampart.service");
        assertThat(unit.value("Service", "ExecReload")).isEqualTo(unit.value("Service", "ExecStart"));
        assertThat(unit.value("Unit", "Before")).contains("network-pre.target");
        assertThat(unit.value("Unit", "Wants")).contains("network-pre.target");
        assertThat(unit.value("Unit", "DefaultDependencies")).isEqualTo("no");
    }

    @Test
    void aGoodFileIsApplied() throws IOException {
        Files.writeString(etc.resolve("rules"), """
                *filter
                :INPUT DROP [0:0]
                -A INPUT -i lo -j ACCEPT
                -A INPUT -p tcp --dport 2222 -j ACCEPT
                COMMIT
                """);
        Run boot = boot();
        assertThat(boot.exitCode()).as(boot.err()).isZero();
        assertThat(filter("iptables-save")).containsExactly(":INPUT DROP", ":FORWARD ACCEPT", ":OUTPUT ACCEPT",
                "-A INPUT -i lo -j ACCEPT", "-A INPUT -p tcp -m tcp --dport 2222 -j ACCEPT");
    }

    @Test
    void aBrokenFileLeavesTheFallback() throws IOException {
        Files.writeString(etc.resolve("rules"), """
                *filter
                :INPUT ACCEPT [0:0]
                -A INPUT -p tcp --dport 2222 -j ACCEPT
                COMMIT
                """);
        assertThat(boot().exitCode()).isZero();
        Files.writeString(etc.resolve("rules"), """
                *filter
                :INPUT DROP [0:0]
                -A INPUT -p tcp --dport 80 -j ACCCEPT
                COMMIT
                """);
        Run boot = boot();
        assertThat(boot.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(boot.err()).contains("rules:3:").contains("was not applied: applying the fallback");
        assertThat(filter("iptables-save")).containsExactlyElementsOf(FALLBACK_IPV4);
        assertThat(filter("ip6tables-save")).containsExactlyElementsOf(FALLBACK_IPV6);
    }

    /**
     * From a second namespace over a veth: a connection to port 22 reaches the host (refused, as
     * nothing listens: the kernel let the SYN in and answered it), one to port 80 gets no answer.
     */
    @Test
    void theFallbackLetsSshInAndDropsTheRest() throws IOException {
        Files.writeString(etc.resolve("rules"), "*filter\n-A INPUT -j NOWHERE\nCOMMIT\n");
        try (Netns client = Netns.throwaway("bootc", ProcessRunner.system())) {
            for (List<String> command : List.of(
                    List.of("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p"),
                    List.of("ip", "link", "set", "eth0p", "netns", client.name().orElseThrow()),
                    List.of("ip", "addr", "add", "10.0.0.1/24", "dev", "eth0"),
                    List.of("ip", "link", "set", "eth0", "up"))) {
                ProcessResult done = netns.run(command, "");
                assertThat(done.ok()).as(command + ": " + done.stderr()).isTrue();
            }
            for (List<String> command : List.of(List.of("ip", "addr", "add", "10.0.0.2/24", "dev", "eth0p"),
                    List.of("ip", "link", "set", "eth0p", "up"))) {
                ProcessResult done = client.run(command, "");
                assertThat(done.ok()).as(command + ": " + done.stderr()).isTrue();
            }
            assertThat(boot().exitCode()).isEqualTo(ExitCode.BAD_INPUT);
            ProcessResult ssh = client.run(List.of("timeout", "5", "bash", "-c", "exec 3<>/dev/tcp/10.0.0.1/22"), "");
            assertThat(ssh.stderr()).contains("Connection refused");
            ProcessResult web = client.run(List.of("timeout", "2", "bash", "-c", "exec 3<>/dev/tcp/10.0.0.1/80"), "");
            assertThat(web.exitCode()).as("no answer until timeout stops it: " + web.stderr()).isEqualTo(124);
        }
    }

    @Test
    void aMissingFileLeavesTheFallback() {
        Run boot = boot();
        assertThat(boot.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(filter("iptables-save")).containsExactlyElementsOf(FALLBACK_IPV4);
    }

    /** ExecStart's words, the paths under /etc/rampart in the test's directory, in the namespace. */
    private Run boot() {
        try {
            List<String> command = Arrays.asList(UnitFile.of("rampart.service").value("Service", "ExecStart")
                    .split(" +"));
            assertThat(command.get(0)).isEqualTo("/usr/bin/rampart");
            List<String> args = new ArrayList<>();
            for (String word : command.subList(1, command.size())) {
                args.add(word.startsWith(ETC) ? etc.resolve(word.substring(ETC.length())).toString() : word);
            }
            args.addAll(List.of("--netns", netns.name().orElseThrow()));
            return Run.of(args.toArray(String[]::new));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The filter table's chains and rules as the kernel dumps them, without counters and Rampart's bookkeeping. */
    private List<String> filter(String save) {
        ProcessResult saved = netns.run(List.of(save, "-t", "filter"), "");
        assertThat(saved.ok()).as(saved.stderr()).isTrue();
        return saved.stdout().lines().filter(l -> l.startsWith(":") || l.startsWith("-A"))
                .filter(l -> !l.contains("RAMPART-MANAGED"))
                .map(l -> l.startsWith(":") ? l.replaceFirst(" \\[\\d+:\\d+\\]$", "") : l).toList();
    }
}
