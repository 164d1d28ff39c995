package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.api.NoopMemo;
import io.rampart.api.PendingConfirmation.Target;
import io.rampart.model.Family;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The no-op memo against the kernel: every apply runs twice, on two namespaces given the same
 * file and the same foreign changes, once as it comes (the memo read and written) and once with
 * {@code --no-memo}; both must print the same, exit alike and leave the same rules.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NoopMemoKernelTest {

    private static final String HIT = " and the kernel are as at the last verified apply, the file was not read again";

    private Netns memo;
    private Netns plain;
    private Path file;
    private Path rulesD;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        KernelTestSupport.requireKernel();
        memo = Netns.throwaway("noopmemo", ProcessRunner.system());
        plain = Netns.throwaway("noopmemo", ProcessRunner.system());
        for (Netns netns : List.of(memo, plain)) {
            withInterface(netns, "192.0.2.1/24");
        }
        file = dir.resolve("host.rules");
        rulesD = Files.createDirectory(dir.resolve("rules.d"));
        Files.writeString(rulesD.resolve("10-web.rules"), "-A INPUT -p tcp --dport 80 -j ACCEPT\n");
        Files.writeString(dir.resolve("ssh.rules"), "-A SSH -s 198.51.100.0/24 -j ACCEPT\n");
        Files.writeString(file, """
                *filter
                :INPUT DROP [0:0]
                :SSH - [0:0]
                -A INPUT -i lo -j ACCEPT
                -A INPUT -d @addr(dummy0) -p tcp --dport ssh -j SSH
                include "rules.d/*.rules"
                include "ssh.rules"
                -A INPUT -p tcp --dport 8080 -j ACCEPT
                -A INPUT -p tcp --dport 8080 -j ACCEPT
                COMMIT
                """);
    }

    /** An interface dummy0 (a veth, as the dummy module may be missing) with {@code address}. */
    private static void withInterface(Netns netns, String address) {
        for (List<String> command : List.of(List.of("ip", "link", "add", "dummy0", "type", "veth", "peer", "name",
                "dummy0p"), List.of("ip", "addr", "add", address, "dev", "dummy0"))) {
            ProcessResult done = netns.run(command, "");
            assertThat(done.ok()).as(done.failure()).isTrue();
        }
    }

    @AfterEach
    void stop() throws IOException {
        for (Netns netns : new Netns[] {memo, plain}) {
            if (netns != null) {
                Files.deleteIfExists(NoopMemo.of(new Target(netns.name().orElseThrow(), Family.IPV4)).file());
                Files.deleteIfExists(NoopMemo.of(new Target(netns.name().orElseThrow(), Family.IPV6)).file());
                netns.close();
            }
        }
    }

    /**
     * One apply on both namespaces; requires the same outcome; answers whether the memo answered it:
     * its text says so, and a hit leaves the memo's file as it is (a full no-op read replaces it).
     */
    private boolean apply(String... more) throws IOException {
        Object before = memoIdentity();
        Run remembered = run(memo, true, more);
        Run read = run(plain, false, more);
        assertThat(normal(remembered.out())).as(remembered.err()).isEqualTo(normal(read.out()));
        assertThat(remembered.err().replace(memo.name().orElseThrow(), "NETNS"))
                .isEqualTo(read.err().replace(plain.name().orElseThrow(), "NETNS"));
        assertThat(remembered.exitCode()).isEqualTo(read.exitCode());
        assertThat(rules(memo)).isEqualTo(rules(plain));
        assertThat(read.out()).doesNotContain(HIT);
        // A hit leaves the memo as it was; so does a write, which records nothing (the next no-op does).
        boolean kept = before != null && before.equals(memoIdentity());
        boolean hit = List.of(more).contains("--json") ? kept && remembered.out().contains("\"changed\" : false")
                : remembered.out().contains(file + HIT);
        assertThat(kept || !hit).as(remembered.out()).isTrue();
        return hit;
    }

    /** The memo file's inode and time, which a rewrite (a new file renamed into place) changes; null without one. */
    private Object memoIdentity() throws IOException {
        Path own = NoopMemo.of(new Target(memo.name().orElseThrow(), Family.IPV4)).file();
        if (!Files.exists(own)) {
            return null;
        }
        return List.of(Files.getAttribute(own, "unix:ino"), Files.getLastModifiedTime(own));
    }

    private Run run(Netns netns, boolean withMemo, String... more) {
        List<String> args = new ArrayList<>(List.of("apply", "--netns", netns.name().orElseThrow()));
        if (!withMemo) {
            args.add("--no-memo");
        }
        args.addAll(List.of(more));
        args.add(file.toString());
        return Run.of(args.toArray(String[]::new));
    }

    /** The output without what differs between any two runs: the time, and the memo's clause. */
    private String normal(String out) {
        return out.replace("; " + file + HIT, "").replaceAll("\\d+ ms", "N ms")
                .replaceAll("\"milliseconds\" : \\d+", "\"milliseconds\" : N");
    }

    private static String rules(Netns netns) {
        ProcessResult saved = netns.run(List.of("iptables-save"), "");
        assertThat(saved.ok()).as(saved.failure()).isTrue();
        return saved.stdout().lines().filter(line -> !line.startsWith("#"))
                .map(line -> line.replaceAll("\\[\\d+:\\d+]", "[0:0]")).reduce("", (a, b) -> a + b + "\n");
    }

    private void both(String... command) {
        for (Netns netns : List.of(memo, plain)) {
            ProcessResult done = netns.run(List.of(command), "");
            assertThat(done.ok()).as(done.failure()).isTrue();
        }
    }

    private void edit(Path path, Consumer<Path> change) throws IOException {
        FileTime mtime = Files.exists(path) ? Files.getLastModifiedTime(path) : null;
        change.accept(path);
        if (mtime != null) {
            Files.setLastModifiedTime(path, mtime); // the memo digests contents, not times
        }
    }

    private static void write(Path path, String text) {
        try {
            Files.writeString(path, text);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theMemoAnswersOnlyWhileEveryInputAndTheDeclaredChainsAreUnchanged() throws IOException {
        assertThat(apply()).isFalse(); // cold: written, nothing recorded
        assertThat(apply()).as("a no-op records the memo").isFalse();
        assertThat(apply()).isTrue();
        assertThat(apply("--json")).isTrue();

        // The main file, same size and time: digested by contents.
        String text = Files.readString(file);
        edit(file, f -> write(f, text.replace("8080", "8081")));
        assertThat(Files.size(file)).isEqualTo(text.length());
        assertThat(apply()).isFalse();
        assertThat(apply()).isFalse(); // the no-op after the write records the memo
        assertThat(apply()).isTrue();

        edit(dir.resolve("ssh.rules"), f -> write(f, "-A SSH -s 198.51.100.0/25 -j ACCEPT\n"));
        assertThat(apply()).isFalse();
        assertThat(apply()).isFalse(); // the no-op after the write records the memo
        assertThat(apply()).isTrue();

        write(rulesD.resolve("20-dns.rules"), "-A INPUT -p udp --dport 53 -j ACCEPT\n");
        assertThat(apply()).as("a new file matching an include's glob").isFalse();
        assertThat(apply()).isFalse(); // the no-op after the write records the memo
        assertThat(apply()).isTrue();

        both("ip", "addr", "flush", "dev", "dummy0");
        both("ip", "addr", "add", "192.0.2.2/24", "dev", "dummy0");
        assertThat(apply()).as("the address @addr(dummy0) names").isFalse();
        assertThat(apply()).isFalse(); // the no-op after the write records the memo
        assertThat(apply()).isTrue();

        both("iptables", "-A", "SSH", "-j", "DROP");
        assertThat(apply()).as("another program's rule in a declared chain").isFalse();
        assertThat(rules(memo)).doesNotContain("-A SSH -j DROP");
        assertThat(apply()).as("the repair brought back the kernel the memo recorded").isTrue();

        both("iptables", "-N", "DOCKER");
        both("iptables", "-A", "DOCKER", "-j", "RETURN");
        both("iptables", "-A", "FORWARD", "-j", "DOCKER");
        assertThat(apply()).as("another program's own chains are not the plan's").isTrue();
        assertThat(rules(memo)).contains("-A DOCKER -j RETURN");

        both("iptables", "-P", "INPUT", "ACCEPT");
        assertThat(apply()).as("a declared chain's policy").isFalse();
        assertThat(apply()).as("repaired: the kernel the memo recorded").isTrue();

        both("iptables", "-A", "RAMPART-MANAGED", "-m", "comment", "--comment", "x");
        assertThat(apply()).as("the bookkeeping chain").isFalse();
        assertThat(apply()).as("repaired: the kernel the memo recorded").isTrue();

        // With the warning the duplicate rule gives, printed by a hit as by the full read.
        assertThat(run(memo, true).err()).contains("warning");
    }

    @Test
    void anEntryOfAGlobsDirectoryThatBecomesAFileIsAChange() throws Exception {
        Path outside = dir.resolve("outside.rules");
        Files.createSymbolicLink(rulesD.resolve("20-dns.rules"), outside); // dangling: the glob skips it
        Path pipe = rulesD.resolve("30-ntp.rules");
        assertThat(new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor()).isZero();
        assertThat(apply()).isFalse();
        assertThat(apply()).isFalse();
        assertThat(apply()).isTrue();

        write(outside, "-A INPUT -p udp --dport 53 -j ACCEPT\n");
        assertThat(apply()).as("a dangling link whose target appears").isFalse();
        assertThat(rules(memo)).contains("--dport 53 -j ACCEPT");
        assertThat(apply()).isFalse();
        assertThat(apply()).isTrue();

        Files.delete(pipe);
        write(pipe, "-A INPUT -p udp --dport 123 -j ACCEPT\n");
        assertThat(apply()).as("a pipe replaced by a file of its name").isFalse();
        assertThat(rules(memo)).contains("--dport 123 -j ACCEPT");
    }

    @Test
    void aCorruptOrForeignMemoOrOneOfAnotherTargetIsNotUsed() throws IOException {
        assertThat(apply()).isFalse();
        assertThat(apply()).isFalse();
        assertThat(apply()).isTrue();
        Path own = NoopMemo.of(new Target(memo.name().orElseThrow(), Family.IPV4)).file();
        String good = Files.readString(own);

        Files.writeString(own, good.replace("kernel\t", "kernel\t0"));
        assertThat(apply()).as("a memo whose sum does not hold").isFalse();
        assertThat(apply()).isTrue();

        Files.writeString(own, good.substring(0, good.length() / 2));
        assertThat(apply()).as("a truncated memo").isFalse();

        Files.writeString(own, good);
        ProcessRunner.system().run(List.of("chown", "65534", own.toString()), "");
        assertThat(apply()).as("a memo owned by another user").isFalse();
        assertThat(apply()).isTrue();

        Files.setPosixFilePermissions(own, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThat(apply()).as("a memo others may write").isFalse();

        // Another namespace's memo, copied in: the same file and address, but not the same kernel.
        assertThat(apply()).isTrue();
        Netns other = Netns.throwaway("noopmemo", ProcessRunner.system());
        Path copied = NoopMemo.of(new Target(other.name().orElseThrow(), Family.IPV4)).file();
        try {
            withInterface(other, "192.0.2.1/24");
            Files.copy(own, copied);
            Run there = Run.of("apply", "--netns", other.name().orElseThrow(), file.toString());
            assertThat(there.out()).doesNotContain(HIT).contains("applied: ");
            assertThat(rules(other)).isEqualTo(rules(memo));
        } finally {
            Files.deleteIfExists(copied);
            other.close();
        }

        // -4 is not covered by a memo recorded without it, nor the reverse.
        assertThat(apply("-4")).isFalse();
        assertThat(apply("-4")).isTrue();
        assertThat(apply()).isFalse();
    }

    @Test
    void optionsTheMemoDoesNotCoverReadTheFile() throws IOException {
        assertThat(apply()).isFalse();
        assertThat(apply()).isFalse();
        assertThat(apply()).isTrue();
        Path expect = dir.resolve("expect");
        Files.writeString(expect, "");
        assertThat(run(memo, true, "--expect", expect.toString()).out()).doesNotContain(HIT);
        assertThat(run(memo, true, "--fallback", file.toString()).out()).doesNotContain(HIT);
        assertThat(run(memo, true, "--no-memo").out()).doesNotContain(HIT);
        assertThat(apply()).isTrue();
    }

    /** The honest sign that a hit did not read the file: the JVM never loads the language's interpreter. */
    @Test
    void aHitLoadsNeitherTheInterpreterNorTheRuleParser() throws Exception {
        assertThat(apply()).isFalse();
        assertThat(apply()).isFalse();
        Path log = dir.resolve("classes.log");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load:file=" + log, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "apply", "--netns", memo.name().orElseThrow(), file.toString());
        ProcessResult hit = ProcessRunner.system().run(command, "");
        assertThat(hit.stdout()).contains(file + HIT);
        assertThat(Files.readString(log)).doesNotContain("io.rampart.config.Interpreter ")
                .doesNotContain("io.rampart.syntax.RuleParser ").contains("io.rampart.api.NoopMemo ");

        Files.writeString(file, Files.readString(file) + "\n");
        ProcessResult miss = ProcessRunner.system().run(command, "");
        assertThat(miss.stdout()).doesNotContain(HIT);
        assertThat(Files.readString(log)).contains("io.rampart.config.Interpreter ");
    }

    /**
     * Random file edits, foreign changes of declared and undeclared chains and applies, seeded: after
     * each apply the namespace kept with the memo holds what the one applied without it does.
     */
    @Test
    void randomSequencesEndAsWithoutTheMemo() throws IOException {
        long seed = Long.getLong("noopmemo.seed", 20261203L);
        Random random = new Random(seed);
        int hits = 0;
        for (int step = 0; step < 40; step++) {
            switch (random.nextInt(7)) {
                case 0 -> write(dir.resolve("ssh.rules"), "-A SSH -s 198.51.100." + random.nextInt(4) * 64
                        + "/26 -j ACCEPT\n");
                case 1 -> {
                    Path extra = rulesD.resolve("30-extra.rules");
                    if (random.nextBoolean()) {
                        write(extra, "-A INPUT -p tcp --dport " + (9000 + random.nextInt(3)) + " -j ACCEPT\n");
                    } else {
                        Files.deleteIfExists(extra);
                    }
                }
                case 2 -> both("iptables", random.nextBoolean() ? "-I" : "-A", "INPUT", "-p", "tcp", "--dport",
                        String.valueOf(7000 + random.nextInt(3)), "-j", "ACCEPT");
                case 3 -> {
                    both("iptables", "-N", "OTHER" + random.nextInt(1000));
                    both("iptables", "-A", "FORWARD", "-j", "DROP");
                }
                case 4 -> both("iptables", "-P", "INPUT", random.nextBoolean() ? "ACCEPT" : "DROP");
                default -> {
                }
            }
            if (apply()) {
                hits++;
            }
        }
        assertThat(hits).as("seed " + seed).isPositive();
    }
}
