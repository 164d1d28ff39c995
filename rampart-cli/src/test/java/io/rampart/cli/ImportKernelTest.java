package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rampart import} of a namespace holding a host's rules next to Docker's: the file it prints
 * leaves Docker's chains (and the built-in chain jumping to them) out, checks clean, and plans to
 * change nothing in the kernel it came from.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ImportKernelTest {

    private static final String HOST = """
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :DOCKER - [0:0]
            :DOCKER-USER - [0:0]
            :SSH - [0:0]
            -A INPUT -i lo -j ACCEPT
            -A INPUT -p tcp -m tcp --dport 22 -j SSH
            -A FORWARD -j DOCKER-USER
            -A FORWARD -o docker0 -j DOCKER
            -A DOCKER-USER -j RETURN
            -A SSH -s 192.0.2.0/24 -m comment --comment "admins" -j ACCEPT
            COMMIT
            *nat
            :PREROUTING ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            :DOCKER - [0:0]
            -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
            -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
            COMMIT
            """;

    private Netns netns;

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        KernelTestSupport.requireKernel();
        netns = Netns.throwaway("import", ProcessRunner.system());
        ProcessResult restored = netns.run(List.of("iptables-restore"), HOST);
        assertThat(restored.ok()).as(restored.stderr()).isTrue();
    }

    @AfterEach
    void stop() {
        if (netns != null) {
            netns.close();
        }
    }

    @Test
    void theImportedFileLeavesDockerOutAndHoldsTheKernel() throws IOException {
        String name = netns.name().orElseThrow();
        Run imported = Run.of("import", "--netns", name);
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        String text = imported.out();
        assertThat(text).contains("#   filter: DOCKER (Docker), DOCKER-USER (Docker), FORWARD (jumps to DOCKER-USER)")
                .contains("#   nat: DOCKER (Docker), PREROUTING (jumps to DOCKER)")
                .contains(":INPUT DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:SSH - [0:0]\n")
                .contains("-A SSH -s 192.0.2.0/24 -m comment --comment admins -j ACCEPT\n")
                .contains("*nat\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n")
                .doesNotContain(":FORWARD").doesNotContain("-A PREROUTING");
        Path file = dir.resolve("host.rules");
        Files.writeString(file, text);
        Run checked = Run.of("check", file.toString());
        assertThat(checked.exitCode()).as(checked.out() + checked.err()).isZero();
        Run plan = Run.of("plan", "--netns", name, file.toString());
        assertThat(plan.out()).as(plan.err()).startsWith("nothing to change");
    }

    @Test
    void aSaveFileImportsAsTheKernelDoes() throws IOException {
        String name = netns.name().orElseThrow();
        Path saved = dir.resolve("saved");
        Files.writeString(saved, netns.run(List.of("iptables-save"), "").stdout());
        Run fromFile = Run.of("import", saved.toString());
        Run fromKernel = Run.of("import", "--netns", name);
        assertThat(fromFile.exitCode()).as(fromFile.err()).isZero();
        assertThat(body(fromFile.out())).isEqualTo(body(fromKernel.out()));
        assertThat(Run.of("import", "--netns", name, saved.toString()).exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    }

    /** The file without its first line, which names where the rules came from. */
    private static String body(String text) {
        return text.substring(text.indexOf('\n') + 1);
    }
}
