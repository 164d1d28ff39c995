package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.api.PendingConfirmation;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * apply --confirm, confirm, rollback, the rollback timer and the lockout guard, against one
 * throwaway namespace whose filter table is emptied before each test. The namespace has an
 * address (10.9.0.1 on a veth) for a simulated SSH session to arrive at.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SafeApplyKernelTest {

    private static Netns netns;
    private static String name;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        netns = KernelTestSupport.namespaceWithInterface("safe", "v0", "10.9.0.1/24", "2001:db8:9::1/64");
        name = netns.name().orElseThrow();
    }

    @AfterAll
    static void stop() throws IOException {
        if (netns != null) {
            netns.close();
            Files.deleteIfExists(Path.of(PendingConfirmation.ROOT, "netns-" + name + ".ipv4.lock"));
            Files.deleteIfExists(Path.of(PendingConfirmation.ROOT, "netns-" + name + ".ipv4.log"));
            Files.deleteIfExists(Path.of(PendingConfirmation.ROOT, "netns-" + name + ".ipv6.lock"));
            Files.deleteIfExists(Path.of(PendingConfirmation.ROOT, "netns-" + name + ".ipv6.log"));
        }
    }

    @BeforeEach
    void emptyFilterTable() {
        kernel(List.of("iptables-restore"), "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
                + ":OUTPUT ACCEPT [0:0]\nCOMMIT\n");
    }

    @AfterEach
    void endWhatIsPending() {
        if (netns != null) {
            run("rollback", "--netns", name);
            run("rollback", "--netns", name, "-6");
        }
    }

    private static String kernel(List<String> command, String stdin) {
        ProcessResult result = netns.run(command, stdin);
        assertThat(result.ok()).as(String.join(" ", command) + ": " + result.stderr()).isTrue();
        return result.stdout();
    }

    private static String rules() {
        return kernel(List.of("iptables", "-S"), "");
    }

    private static Run run(String... args) {
        return runWith(Map.of(), args);
    }

    private static Run runWith(Map<String, String> environment, String... args) {
        return Run.withEnvironment(environment, args);
    }

    private Path file(String fileName, String text) throws IOException {
        Path file = dir.resolve(fileName);
        Files.writeString(file, text);
        return file;
    }

    private static Path pendingDir() {
        return Path.of(PendingConfirmation.ROOT, "netns-" + name + ".ipv4");
    }

    /** The timer's process, read from the pending confirmation before it ends. */
    private static ProcessHandle timer() throws IOException {
        long pid = Long.parseLong(Files.readString(pendingDir().resolve("timer.pid")).strip());
        return ProcessHandle.of(pid).orElseThrow();
    }

    private static final String BEFORE = """
            *filter
            :INPUT ACCEPT [0:0]
            :OLD - [0:0]
            -A INPUT -i lo -j ACCEPT
            -A INPUT -s 198.51.100.0/24 -j OLD
            -A OLD -j ACCEPT
            COMMIT
            """;

    private static final String NEW = """
            *filter
            :INPUT DROP [0:0]
            :SSH - [0:0]
            -A INPUT -i lo -j ACCEPT
            -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A INPUT -p tcp --dport 22 -j SSH
            -A SSH -s 192.0.2.0/24 -j ACCEPT
            COMMIT
            """;

    @Test
    void confirmInTimeKeepsTheNewRules() throws IOException {
        Run apply = run("apply", "--netns", name, "--confirm", "60s", file("new.rules", NEW).toString());
        assertThat(apply.exitCode()).as(apply.err()).isZero();
        assertThat(apply.out()).contains("awaiting confirmation: rolls back at")
                .contains("unless `rampart confirm --netns " + name + "' runs");
        ProcessHandle timer = timer();
        assertThat(timer.isAlive()).isTrue();

        Run second = run("apply", "--netns", name, "--confirm", "60s", file("new.rules", NEW).toString());
        assertThat(second.exitCode()).isEqualTo(ExitCode.SYSTEM);
        assertThat(second.err()).contains("awaits confirmation").contains("rampart confirm --netns " + name);
        Run switched = run("switch", "--netns", name, "other");
        assertThat(switched.exitCode()).isEqualTo(ExitCode.SYSTEM);
        assertThat(switched.err()).contains("awaits confirmation");

        Run confirm = run("confirm", "--netns", name);
        assertThat(confirm.exitCode()).as(confirm.err()).isZero();
        timer.onExit().join();
        assertThat(Files.exists(pendingDir())).isFalse();
        assertThat(rules()).contains("-P INPUT DROP", "-A SSH -s 192.0.2.0/24 -j ACCEPT");
        assertThat(run("status", "--netns", name, dir.resolve("new.rules").toString()).exitCode()).isZero();

        Run again = run("confirm", "--netns", name);
        assertThat(again.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(again.err()).contains("nothing awaits confirmation for the IPv4 rules of namespace " + name);
    }

    @Test
    void theTimerRollsBackTheTouchedChainsAndLeavesAForeignChainAlone() throws IOException {
        assertThat(run("apply", "--netns", name, file("before.rules", BEFORE).toString()).exitCode()).isZero();
        // Another tool's chain, and its jump to a chain Rampart manages: the apply unlinks it.
        kernel(List.of("iptables", "-N", "DOCKER"), "");
        kernel(List.of("iptables", "-A", "DOCKER", "-j", "RETURN"), "");
        kernel(List.of("iptables", "-A", "FORWARD", "-j", "DOCKER"), "");
        kernel(List.of("iptables", "-A", "FORWARD", "-j", "OLD"), "");
        String before = rules();

        // The window outlasts the steps before the foreign change below, also on a loaded machine.
        Run apply = run("apply", "--netns", name, "--confirm", "10s", file("new.rules", NEW).toString());
        assertThat(apply.exitCode()).as(apply.err()).isZero();
        assertThat(apply.out()).contains("filter OLD: remove");
        assertThat(rules()).contains("-N SSH").doesNotContain("-N OLD");
        ProcessHandle timer = timer();
        kernel(List.of("iptables", "-A", "DOCKER", "-s", "172.17.0.0/16", "-j", "ACCEPT"), "");
        // Only a change made while the rollback is still pending tests what the rollback keeps.
        assertThat(timer.isAlive()).as("the timer is still pending after the foreign change").isTrue();
        assertThat(pendingDir()).as("the confirmation is still pending after the foreign change").exists();

        timer.onExit().join();
        assertThat(Files.exists(pendingDir())).isFalse();
        assertThat(rules()).isEqualTo(before.replace("-A DOCKER -j RETURN\n",
                "-A DOCKER -j RETURN\n-A DOCKER -s 172.17.0.0/16 -j ACCEPT\n"));
        assertThat(Files.readString(Path.of(PendingConfirmation.ROOT, "netns-" + name + ".ipv4.log")))
                .contains("rolled back " + dir.resolve("new.rules") + ": not confirmed by");
    }

    @Test
    void rollbackRollsBackAtOnce() throws IOException {
        String before = rules();
        Run apply = run("apply", "--netns", name, "--json", "--confirm", "1m", file("new.rules", NEW).toString());
        assertThat(apply.exitCode()).as(apply.err()).isZero();
        assertThat(apply.out()).contains("\"confirmation\" : {", "\"rollsBackAt\" : \"20",
                "\"confirm\" : \"rampart confirm --netns " + name + "\"");
        ProcessHandle timer = timer();
        Run rollback = run("rollback", "--netns", name);
        assertThat(rollback.exitCode()).as(rollback.err()).isZero();
        assertThat(rollback.out()).contains("rolled back " + dir.resolve("new.rules"));
        timer.onExit().join();
        assertThat(rules()).isEqualTo(before);
        assertThat(run("rollback", "--netns", name).exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    }

    @Test
    void theRollbackHappensAfterTheTerminalAndTheApplyAtItsPromptAreKilled() throws Exception {
        String before = rules();
        Path output = dir.resolve("apply.out");
        // A terminal session of its own (script(1) on a pseudo-terminal, in a new process group) with
        // apply waiting at its prompt, as over SSH; then the whole group and apply die by SIGKILL.
        Process terminal = Run.cleanEnvironment(new ProcessBuilder("setsid", "script", "-qec",
                rampartCommand("apply", "--netns", name, "--confirm", "10s", file("new.rules", NEW).toString()),
                "/dev/null")).redirectOutput(output.toFile()).redirectErrorStream(true).start();
        try (var keyboard = terminal.getOutputStream()) {
            while (!Files.readString(output).contains("[y/N]")) {
                assertThat(terminal.isAlive()).as(Files.readString(output)).isTrue();
                Thread.sleep(50);
            }
            assertThat(rules()).contains("-N SSH");
            ProcessHandle timer = timer();
            // The timer descends from apply too, but lives in a session of its own: only apply is picked.
            ProcessHandle apply = terminal.descendants()
                    .filter(p -> arguments(p).contains("apply"))
                    .findFirst().orElseThrow();
            new ProcessBuilder("kill", "-9", "--", "-" + terminal.pid()).start().waitFor();
            apply.destroyForcibly();
            terminal.waitFor();
            apply.onExit().join();

            assertThat(timer.isAlive()).isTrue();
            timer.onExit().join();
            assertThat(rules()).isEqualTo(before);
            assertThat(Files.exists(pendingDir())).isFalse();
        } finally {
            terminal.destroyForcibly();
        }
    }

    private static Path log() {
        return Path.of(PendingConfirmation.ROOT, "netns-" + name + ".ipv4.log");
    }

    /** The instant a log line was written at, and the instant after {@code label} in it. */
    private static Instant instantAfter(String line, String label) {
        String rest = line.substring(line.indexOf(label) + label.length());
        return Instant.parse(rest.split("[ ;]", 2)[0]);
    }

    @Test
    void theWindowCountsFromTheMomentTheRulesAreInForce() throws IOException {
        String before = rules();
        Instant started = Instant.now();
        Run apply = run("apply", "--netns", name, "--confirm", "2s", file("new.rules", NEW).toString());
        assertThat(apply.exitCode()).as(apply.err()).isZero();
        assertThat(rules()).as("in force when apply returns").contains("-N SSH");
        timer().onExit().join();
        assertThat(rules()).as("rolled back by the timer").isEqualTo(before);

        List<String> lines = Files.readAllLines(log()).stream().filter(l -> Instant.parse(l.split(" ", 2)[0])
                .isAfter(started)).toList();
        String applied = lines.stream().filter(l -> l.contains(": applied " + dir.resolve("new.rules") + ": in force at "))
                .findFirst().orElseThrow();
        Instant inForce = instantAfter(applied, "in force at ");
        Instant deadline = instantAfter(applied, "rolls back at ");
        assertThat(deadline).isEqualTo(inForce.plusSeconds(2));
        assertThat(inForce).isAfter(started);
        assertThat(lines).anyMatch(l -> l.contains(": rolls back " + dir.resolve("new.rules") + " at " + deadline
                + " unless confirmed"));
        String rolledBack = lines.stream().filter(l -> l.contains(": rolled back " + dir.resolve("new.rules")))
                .findFirst().orElseThrow();
        assertThat(Instant.parse(rolledBack.split(" ", 2)[0])).as("rolled back no earlier than the window after the"
                + " write").isAfterOrEqualTo(deadline);
    }

    @Test
    void aTimerWhoseRollbackFailedIsReportedAsDeadAndRollbackRetries() throws IOException {
        String before = rules();
        Run apply = run("apply", "--netns", name, "--confirm", "1s", file("new.rules", NEW).toString());
        assertThat(apply.exitCode()).as(apply.err()).isZero();
        ProcessHandle timer = timer();
        // A verdict map element holds the chain the apply made: the kernel refuses the rollback's deletion of it.
        kernel(List.of("nft", "add map ip filter held { type ipv4_addr : verdict; }"), "");
        kernel(List.of("nft", "add element ip filter held { 192.0.2.9 : jump SSH }"), "");
        try {
            timer.onExit().join();
            assertThat(Files.readString(log())).contains("rollback failed: the kernel refused the rollback");
            Run next = run("apply", "--netns", name, file("before.rules", BEFORE).toString());
            assertThat(next.exitCode()).isEqualTo(ExitCode.SYSTEM);
            assertThat(next.err()).contains("awaits confirmation, but its rollback timer no longer runs, so nothing"
                    + " rolls it back by itself (rollback failed: the kernel refused the rollback of "
                    + dir.resolve("new.rules")).contains("run `rampart confirm --netns " + name
                    + "' to keep it or `rampart rollback --netns " + name + "' to undo it first");
        } finally {
            kernel(List.of("nft", "delete map ip filter held"), "");
        }
        Run rollback = run("rollback", "--netns", name);
        assertThat(rollback.exitCode()).as(rollback.err()).isZero();
        assertThat(rules()).isEqualTo(before);
    }

    /** Runs {@code test} with a namespace of its own, named as the caller says, removed afterwards. */
    private void withOwnNamespace(NamespaceTest test) throws Exception {
        String own = name + "-own";
        ProcessResult made = ProcessRunner.system().run(List.of("ip", "netns", "add", own), "");
        assertThat(made.ok()).as(made.stderr()).isTrue();
        try {
            test.run(own);
        } finally {
            run("rollback", "--netns", own);
            ProcessRunner.system().run(List.of("ip", "netns", "del", own), "");
            Files.deleteIfExists(Path.of(PendingConfirmation.ROOT, "netns-" + own + ".ipv4.lock"));
            Files.deleteIfExists(Path.of(PendingConfirmation.ROOT, "netns-" + own + ".ipv4.log"));
        }
    }

    @FunctionalInterface
    private interface NamespaceTest {
        void run(String netns) throws Exception;
    }

    private static String rulesOf(String netns) {
        ProcessResult saved = ProcessRunner.system().run(List.of("ip", "netns", "exec", netns, "iptables", "-S"), "");
        assertThat(saved.ok()).as(saved.stderr()).isTrue();
        return saved.stdout();
    }

    @Test
    void aNamespaceMadeAgainUnderTheSameNameIsNotRolledBack() throws Exception {
        withOwnNamespace(own -> {
            Run apply = run("apply", "--netns", own, "--confirm", "60s", file("new.rules", NEW).toString());
            assertThat(apply.exitCode()).as(apply.err()).isZero();
            ProcessHandle timer = ProcessHandle.of(Long.parseLong(Files.readString(Path.of(PendingConfirmation.ROOT,
                    "netns-" + own + ".ipv4", "timer.pid")).strip())).orElseThrow();
            // The new namespace often gets the old one's inode number: the kernel reuses freed ones.
            ProcessRunner.system().run(List.of("ip", "netns", "del", own), "");
            assertThat(ProcessRunner.system().run(List.of("ip", "netns", "add", own), "").ok()).isTrue();
            ProcessRunner.system().run(List.of("ip", "netns", "exec", own, "iptables", "-A", "INPUT", "-s",
                    "203.0.113.9", "-j", "DROP"), "");
            String fresh = rulesOf(own);

            Run rollback = run("rollback", "--netns", own);
            assertThat(rollback.exitCode()).isEqualTo(ExitCode.SYSTEM);
            assertThat(rollback.err()).contains("network namespace " + own + " was deleted and made again since the"
                    + " apply of " + dir.resolve("new.rules"), "nothing was rolled back and the pending confirmation"
                    + " is cleared", "rampart apply --netns " + own + " FILE");
            assertThat(rulesOf(own)).isEqualTo(fresh);
            timer.onExit().join();
            assertThat(Path.of(PendingConfirmation.ROOT, "netns-" + own + ".ipv4")).doesNotExist();
            assertThat(run("rollback", "--netns", own).err()).contains("nothing awaits confirmation");
        });
    }

    @Test
    void aConfirmationWhoseNamespaceIsGoneSaysSoAndIsCleared() throws Exception {
        withOwnNamespace(own -> {
            Run apply = run("apply", "--netns", own, "--confirm", "60s", file("new.rules", NEW).toString());
            assertThat(apply.exitCode()).as(apply.err()).isZero();
            ProcessRunner.system().run(List.of("ip", "netns", "del", own), "");

            Run rollback = run("rollback", "--netns", own);
            assertThat(rollback.exitCode()).isEqualTo(ExitCode.SYSTEM);
            assertThat(rollback.err()).contains("network namespace " + own + " no longer exists: the rules the apply of "
                    + dir.resolve("new.rules") + " changed went with it; nothing was rolled back and the pending"
                    + " confirmation is cleared");
            assertThat(Path.of(PendingConfirmation.ROOT, "netns-" + own + ".ipv4")).doesNotExist();
        });
    }

    /**
     * The timer whose rollback fails exits with the failure's exit code, mapped as every command's is;
     * its output is the log, which has the failure once, stamped like every line. The started timer is
     * stopped and the command run in-process, so its exit code can be read.
     */
    @Test
    void aTimerWhoseRollbackFailsExitsThroughTheOneMappingOfFailures() throws Exception {
        withOwnNamespace(own -> {
            Run apply = run("apply", "--netns", own, "--confirm", "3s", file("new.rules", NEW).toString());
            assertThat(apply.exitCode()).as(apply.err()).isZero();
            Path pending = Path.of(PendingConfirmation.ROOT, "netns-" + own + ".ipv4");
            ProcessHandle armed = ProcessHandle.of(Long.parseLong(Files.readString(pending.resolve("timer.pid"))
                    .strip())).orElseThrow();
            // Stopped only once it runs: a JVM stopped while it starts prints an unstamped error to the log.
            Path log = Path.of(PendingConfirmation.ROOT, "netns-" + own + ".ipv4.log");
            while (!Files.readString(log).contains("timer " + armed.pid() + ": rolls back ")) {
                assertThat(armed.isAlive()).as(Files.readString(log)).isTrue();
                Thread.sleep(50);
            }
            armed.destroy();
            armed.onExit().join();
            java.util.Properties state = new java.util.Properties();
            try (var in = Files.newBufferedReader(pending.resolve("pending.properties"))) {
                state.load(in);
            }
            ProcessRunner.system().run(List.of("ip", "netns", "del", own), "");

            Instant started = Instant.now();
            Run timer = run("rollback-timer", "--id", state.getProperty("id"), "--netns", own);
            assertThat(timer.exitCode()).isEqualTo(ExitCode.SYSTEM);
            assertThat(timer.err()).isEmpty();
            assertThat(pending).doesNotExist();
            List<String> logged = Files.readAllLines(log).stream().filter(l -> Instant.parse(l.split(" ", 2)[0]).isAfter(started)).toList();
            assertThat(logged).filteredOn(l -> l.contains("network namespace " + own + " no longer exists"))
                    .singleElement().asString().contains(": rollback abandoned: ");
        });
    }

    /**
     * A shell command that runs Rampart in a JVM of its own: the launcher's java and class path,
     * without the launcher's build step, which a test must not run.
     */
    /** A process's arguments as /proc has them: ProcessHandle.Info leaves them out of a long command line. */
    private static List<String> arguments(ProcessHandle process) {
        try {
            return List.of(Files.readString(Path.of("/proc", String.valueOf(process.pid()), "cmdline")).split("\0"));
        } catch (IOException e) {
            return List.of(); // ended meanwhile
        }
    }

    private static String rampartCommand(String... args) {
        List<String> words = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                "'" + System.getProperty("java.class.path") + "'", Main.class.getName()));
        words.addAll(List.of(args));
        return String.join(" ", words);
    }

    /** Runs apply --confirm in a separate JVM on a pseudo-terminal (script(1)) and answers the prompt. */
    private Run applyOnTerminal(String answer) throws Exception {
        String command = rampartCommand("apply", "--netns", name, "--confirm", "60s",
                file("new.rules", NEW).toString());
        Path output = dir.resolve("terminal.out");
        Process terminal = Run.cleanEnvironment(new ProcessBuilder("script", "-qec", command, "/dev/null"))
                .redirectOutput(output.toFile()).redirectErrorStream(true).start();
        try (var keyboard = terminal.getOutputStream()) {
            while (!Files.readString(output).contains("[y/N]")) {
                assertThat(terminal.isAlive()).as(Files.readString(output)).isTrue();
                Thread.sleep(50);
            }
            keyboard.write((answer + "\n").getBytes(StandardCharsets.UTF_8));
            keyboard.flush();
            int code = terminal.waitFor();
            return new Run(code, Files.readString(output), "");
        }
    }

    @Test
    void onATerminalApplyAsksAndKeepsOnYesAndRollsBackOnNo() throws Exception {
        String before = rules();
        Run no = applyOnTerminal("n");
        assertThat(no.exitCode()).as(no.out()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(no.out()).contains("keep the new rules? rolling back in")
                .contains("rolled back to the rules before");
        assertThat(rules()).isEqualTo(before);
        assertThat(Files.exists(pendingDir())).isFalse();

        Run yes = applyOnTerminal("y");
        assertThat(yes.exitCode()).as(yes.out()).isZero();
        assertThat(yes.out()).contains("confirmed: keeping the new rules");
        assertThat(rules()).contains("-P INPUT DROP", "-N SSH");
        assertThat(Files.exists(pendingDir())).isFalse();
    }

    private static final String SSH_SESSION = "10.9.0.2 50022 10.9.0.1 22";

    @Test
    void theLockoutGuardRefusesARulesetThatDropsTheSessionAndForceOverrides() throws IOException {
        String dropping = """
                *filter
                :INPUT ACCEPT [0:0]
                -A INPUT -i lo -j ACCEPT
                -A INPUT -s 192.0.2.0/24 -p tcp --dport 22 -j ACCEPT
                -A INPUT -p tcp --dport 22 -j DROP
                COMMIT
                """;
        Path file = file("drop.rules", dropping);
        String before = rules();
        Run refused = runWith(Map.of("SSH_CONNECTION", SSH_SESSION), "apply", "--netns", name, file.toString());
        assertThat(refused.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(refused.err()).contains(file + ":5:1: error: this ruleset would cut off the SSH session")
                .contains("(10.9.0.2:50022 -> 10.9.0.1:22)")
                .contains("dropped by filter INPUT rule 3 `-A INPUT -p tcp -m tcp --dport 22 -j DROP'")
                .contains("--force");
        assertThat(rules()).isEqualTo(before);

        Run otherFamily = runWith(Map.of("SSH_CONNECTION", "2001:db8::2 50022 2001:db8::1 22"), "plan", "--netns",
                name, file.toString());
        assertThat(otherFamily.exitCode()).isZero();

        Run forced = runWith(Map.of("SSH_CONNECTION", SSH_SESSION), "apply", "--netns", name, "--force",
                file.toString());
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(rules()).contains("-A INPUT -p tcp -m tcp --dport 22 -j DROP");
    }

    @Test
    void theLockoutGuardAcceptsARulesetThatKeepsEstablishedSessions() throws IOException {
        String allowing = """
                *filter
                :INPUT DROP [0:0]
                -A INPUT -i lo -j ACCEPT
                -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
                -A INPUT -p tcp --dport 22 -j DROP
                COMMIT
                """;
        Run apply = runWith(Map.of("SSH_CONNECTION", SSH_SESSION), "apply", "--netns", name,
                file("allow.rules", allowing).toString());
        assertThat(apply.exitCode()).as(apply.err()).isZero();
        assertThat(rules()).contains("-P INPUT DROP");
    }

    @Test
    void ipv6SessionsAreGuardedAndIpv6AppliesRolledBack() throws IOException {
        kernel(List.of("ip6tables-restore"), "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
                + ":OUTPUT ACCEPT [0:0]\nCOMMIT\n");
        String before = kernel(List.of("ip6tables", "-S"), "");
        Map<String, String> session = Map.of("SSH_CONNECTION", "2001:db8:9::2 50022 2001:db8:9::1 22");
        String closed = "*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n";
        Run refused = runWith(session, "apply", "--netns", name, "-6", file("closed6.rules", closed).toString());
        assertThat(refused.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(refused.err()).contains("([2001:db8:9::2]:50022 -> [2001:db8:9::1]:22)")
                .contains("dropped by the policy DROP of filter INPUT");

        String open = "*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\n"
                + "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\nCOMMIT\n";
        Run apply = runWith(session, "apply", "--netns", name, "-6", "--confirm", "60",
                file("open6.rules", open).toString());
        assertThat(apply.exitCode()).as(apply.err()).isZero();
        assertThat(apply.out()).contains("rampart confirm --netns " + name + " -6");
        assertThat(kernel(List.of("ip6tables", "-S"), "")).contains("-P INPUT DROP");
        assertThat(run("confirm", "--netns", name).exitCode()).as("IPv4 has nothing pending")
                .isEqualTo(ExitCode.BAD_INPUT);
        Run rollback = run("rollback", "--netns", name, "-6");
        assertThat(rollback.exitCode()).as(rollback.err()).isZero();
        assertThat(kernel(List.of("ip6tables", "-S"), "")).isEqualTo(before);
    }

    @Test
    void aBadDurationIsRefusedNamingTheFlag() throws IOException {
        String before = rules();
        Run bad = run("apply", "--netns", name, "--confirm", "soon", file("new.rules", NEW).toString());
        assertThat(bad.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(bad.err()).contains("--confirm: `soon' is no duration");
        assertThat(rules()).isEqualTo(before);
    }
}
