package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** apply --expect and test --netns against a throwaway namespace: a failing expectation changes nothing. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ExpectCliKernelTest {

    private static final String RULES = """
            *filter
            :INPUT DROP [0:0]
            :SSH - [0:0]
            -A INPUT -i lo -j ACCEPT
            -A INPUT -p tcp --dport 22 -j SSH
            -A INPUT -p tcp --dport 5432 -j ACCEPT
            -A SSH -s 192.0.2.0/24 -j ACCEPT
            COMMIT
            """;

    private static Netns netns;
    private static String name;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        KernelTestSupport.requireKernel();
        netns = Netns.throwaway("expect", ProcessRunner.system());
        name = netns.name().orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (netns != null) {
            netns.close();
        }
    }

    private static String file(String name, String text) throws Exception {
        return TestFiles.write(dir, name, text);
    }

    private static String filterRules() {
        // Without the dump's comments, which carry the time.
        return netns.run(List.of("iptables-save", "-t", "filter"), "").stdout().replaceAll("(?m)^#.*\n", "");
    }

    @Test
    void aFailingExpectationKeepsTheRulesetOutOfTheKernelAndAPassingOneLetsItIn() throws Exception {
        String rules = file("host.rules", RULES);
        String failing = file("db.expect", "expect nothing in guest0 to port 5432 is accepted\n");
        String before = filterRules();
        Run refused = Run.of("apply", "--netns", name, "--expect", failing, rules);
        assertThat(refused.exitCode()).as(refused.err()).isEqualTo(ExitCode.DRIFT);
        assertThat(refused.out()).contains(failing + ":1: FAIL: nothing in guest0 to port 5432 is accepted");
        assertThat(refused.err()).contains("was not applied: 1 of 1 expectations of " + failing
                + " do not hold; nothing was changed");
        assertThat(filterRules()).doesNotContain("5432").isEqualTo(before);

        String passing = file("ssh.expect", """
                expect tcp from 192.0.2.0/24 in eth0 to port 22 is accepted
                expect tcp from 198.51.100.0/24 in eth0 to port 22 is dropped by policy
                """);
        Run applied = Run.of("apply", "--netns", name, "--expect", passing, rules);
        assertThat(applied.exitCode()).as(applied.err()).isZero();
        assertThat(filterRules()).contains("-A INPUT -p tcp -m tcp --dport 5432 -j ACCEPT");

        // The live ruleset answers as the file did.
        Run live = Run.of("test", "--netns", name, passing);
        assertThat(live.exitCode()).as(live.err() + live.out()).isZero();
        Run liveFails = Run.of("test", "--netns", name, failing);
        assertThat(liveFails.exitCode()).isEqualTo(ExitCode.DRIFT);
        assertThat(liveFails.out()).contains("ACCEPT by live@" + name + ":filter/INPUT#3 (INPUT rule 3)");
    }
}
