package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** plan, apply, status and save from the command line, against a throwaway namespace. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ReconcileCliKernelTest {

    private Netns netns;
    private String name;

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        KernelTestSupport.requireKernel();
        netns = Netns.throwaway("cli", ProcessRunner.system());
        name = netns.name().orElseThrow();
    }

    @AfterEach
    void stop() {
        if (netns != null) {
            netns.close();
        }
    }

    private static Run run(String... args) {
        return Run.of(args);
    }

    private Path file(String text) throws IOException {
        Path file = dir.resolve("host.rules");
        Files.writeString(file, text);
        return file;
    }

    private static final String RULES = """
            *filter
            :INPUT DROP [0:0]
            :SSH - [0:0]
            -A INPUT -i lo -j ACCEPT
            -A INPUT -p tcp --dport ssh -j SSH
            -A SSH -s 192.0.2.0/24 -j ACCEPT
            COMMIT
            """;

    @Test
    void planApplyStatusAndSave() throws IOException {
        String file = file(RULES).toString();
        Run plan = run("plan", "--netns", name, file);
        assertThat(plan.exitCode()).isZero();
        assertThat(plan.out()).contains("filter SSH: create").contains("+ 1: -A SSH -s 192.0.2.0/24 -j ACCEPT");

        assertThat(run("status", "--netns", name, file).exitCode()).isEqualTo(ExitCode.DRIFT);
        Run apply = run("apply", "--netns", name, file);
        assertThat(apply.exitCode()).as(apply.err()).isZero();
        assertThat(apply.out()).contains("applied: 2 chains, 3 rules");

        Run again = run("apply", "--netns", name, file);
        assertThat(again.out()).startsWith("nothing to change; 1 process");
        assertThat(run("status", "--netns", name, file).exitCode()).isZero();

        netns.run(List.of("iptables", "-D", "SSH", "1"), "");
        Run drift = run("status", "--netns", name, file);
        assertThat(drift.exitCode()).isEqualTo(ExitCode.DRIFT);
        assertThat(drift.out()).contains("filter SSH: update").contains("+ 1: -A SSH -s 192.0.2.0/24 -j ACCEPT");

        Run save = run("save", "--netns", name);
        assertThat(save.out()).contains(":INPUT DROP [0:0]").contains("-A INPUT -p tcp -m tcp --dport 22 -j SSH");
    }

    @Test
    void aBadFileIsALocatedErrorAndChangesNothing() throws IOException {
        String file = file(RULES.replace("--dport ssh", "--dprot ssh")).toString();
        String before = run("save", "--netns", name).out();
        Run apply = run("apply", "--netns", name, file);
        assertThat(apply.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(apply.err()).contains(file + ":5:17: error: unknown option --dprot\n")
                .contains("^\n  hint: did you mean --dport?");
        assertThat(run("save", "--netns", name).out()).isEqualTo(before);
    }

    @Test
    void aKernelRefusalIsASystemErrorNamingTheLine() throws IOException {
        String file = file(RULES.replace("-A SSH -s 192.0.2.0/24", "-A SSH -m set --match-set nosuchset src"))
                .toString();
        Run apply = run("apply", "--netns", name, file);
        assertThat(apply.exitCode()).isEqualTo(ExitCode.SYSTEM);
        assertThat(apply.err()).contains(file + ":6: the kernel refused").contains("nothing was changed");
    }

    @Test
    void anUnknownNamespaceIsASystemError() throws IOException {
        Run plan = run("plan", "--netns", "rampart-no-such-namespace", file(RULES).toString());
        assertThat(plan.exitCode()).isEqualTo(ExitCode.SYSTEM);
        assertThat(plan.err()).contains("rampart-no-such-namespace").doesNotContain("Exception");
    }

    /**
     * The plain forms Main reads without picocli (FileArguments) run as picocli's reading of them does,
     * step by step on the same kernel: the same exit code, output and warnings, but for the time taken.
     */
    @Test
    void plainFormsRunAsPicocliRunsThem() throws IOException {
        String file = file(RULES + RULES.replace("*filter", "*nat").replace(":INPUT DROP", ":PREROUTING ACCEPT")
                .replace("-A INPUT", "-A PREROUTING").replace(":SSH", ":DUP").replace("-A SSH", "-A DUP")
                .replace("-j SSH", "-j DUP")).toString();
        Path warned = dir.resolve("warned.rules");
        Files.writeString(warned, RULES.replace("-A INPUT -i lo -j ACCEPT", "-A INPUT -i lo -j ACCEPT\n-A INPUT -i lo -j ACCEPT"));
        List<List<String>> steps = List.of(
                List.of("plan", "--netns", name, file),
                List.of("status", "--json", "--netns", name, file),
                List.of("apply", "--netns", name, "--wait", "5", file),
                List.of("apply", "--netns", name, "--json", file),
                List.of("status", "--netns", name, file),
                List.of("plan", "-6", "--netns", name, file),
                List.of("apply", "--netns", name, warned.toString()),
                List.of("apply", "--netns", name, "--force", file),
                List.of("status", "--netns", name, warned.toString()));
        for (List<String> step : steps) {
            String[] args = step.toArray(String[]::new);
            assertThat(FileArguments.read(args, System.in, Map.of())).as(String.join(" ", step)).isPresent();
            String start = saved();
            Run plain = run(args);
            String after = saved();
            // The picocli run starts from the same rules.
            netns.run(List.of("nft", "flush", "ruleset"), "");
            netns.run(List.of("iptables-restore"), start);
            Run picocli = withPicocli(args);
            assertThat(saved()).as(String.join(" ", step)).isEqualTo(after);
            assertThat(List.of(plain.exitCode(), timeless(plain.out()), timeless(plain.err())))
                    .as(String.join(" ", step))
                    .isEqualTo(List.of(picocli.exitCode(), timeless(picocli.out()), timeless(picocli.err())));
        }
    }

    /** The kernel's IPv4 rules, without the comments that say when they were saved. */
    private String saved() {
        return run("save", "--netns", name).out().replaceAll("(?m)^#.*\n", "");
    }

    private static Run withPicocli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.withPicocli(args, new ByteArrayInputStream(new byte[0]), new PrintWriter(out, true),
                new PrintWriter(err, true), Map.of());
        return new Run(code, out.toString(), err.toString());
    }

    /** Output without the milliseconds an apply reports taking. */
    private static String timeless(String text) {
        return text.replaceAll("[0-9]+ ms", "N ms").replaceAll("\"milliseconds\" : [0-9]+", "\"milliseconds\" : N");
    }
}
