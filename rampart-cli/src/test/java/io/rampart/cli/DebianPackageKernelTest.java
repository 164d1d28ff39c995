package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.rampart.system.KernelTestSupport;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/package} on this machine: lintian finds no error in the .deb, which installs with
 * dpkg, runs, has units systemd-analyze accepts, and leaves nothing behind once purged; the tarball
 * runs from wherever it is unpacked. Runs after {@code package} (the jar must exist), see the pom.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DebianPackageKernelTest {

    private static final Path REPOSITORY = UnitFile.PACKAGING.getParent();
    private static final ProcessRunner RUNNER = ProcessRunner.system();
    /** How long to wait for another dpkg or apt run to let go of dpkg's lock. */
    private static final Duration LOCK_WAIT = Duration.ofMinutes(2);
    private static final Path CACHE = Path.of("/var/cache/rampart");

    private static String version;
    private static Path deb;
    private static Path tarball;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() {
        KernelTestSupport.requireTools("dpkg-deb", "lintian", "systemd-analyze", "man");
        if (run("dpkg-query", "-W", "-f=${Status}", "rampart").stdout().contains("installed")) {
            KernelTestSupport.require("rampart is installed on this machine: the test would remove it");
        }
        ProcessResult built = run(REPOSITORY.resolve("scripts/package").toString());
        assertThat(built.ok()).as(built.stderr()).isTrue();
        List<String> written = built.stdout().lines().toList();
        deb = Path.of(written.get(0));
        tarball = Path.of(written.get(1));
        version = deb.getFileName().toString().replaceAll("^rampart_(.*)_all\\.deb$", "$1");
    }

    private static ProcessResult run(String... command) {
        return RUNNER.run(List.of(command), "");
    }

    @Test
    void lintianFindsNoError() {
        ProcessResult lint = run("lintian", "--fail-on", "error", "--no-tag-display-limit", deb.toString());
        System.out.println("lintian " + deb.getFileName() + ":\n" + lint.stdout());
        assertThat(lint.ok()).as(lint.stdout() + lint.stderr()).isTrue();
        assertThat(lint.stdout()).doesNotContainPattern("(?m)^E: ");
    }

    @Test
    void installsRunsAndPurgesCleanly() throws IOException {
        List<String> contents = packageFiles();
        try {
            dpkg("-i", deb.toString());
            ProcessResult installed = run("/usr/bin/rampart", "--version");
            assertThat(installed.ok()).as(installed.stderr()).isTrue();
            assertThat(installed.stdout().strip()).isEqualTo("rampart " + version);
            try (Stream<Path> cache = Files.list(CACHE)) {
                assertThat(cache.map(p -> p.getFileName().toString())).as("the class cache made on installing")
                        .anyMatch(name -> name.endsWith(".aot") || name.endsWith(".jsa"));
            }
            ProcessResult checked = run("/usr/bin/rampart", "check", "/etc/rampart/fallback.rules");
            assertThat(checked.ok()).as(checked.stderr()).isTrue();
            assertThat(checked.stderr()).isEmpty();
            assertThat(run("man", "-w", "rampart").stdout().strip())
                    .isEqualTo("/usr/share/man/man1/rampart.1.gz");

            ProcessResult verified = run("systemd-analyze", "verify", "/lib/systemd/system/rampart.service",
                    "/lib/systemd/system/rampart-agent.service", "/lib/systemd/system/rampart-serve.service");
            System.out.println("systemd-analyze verify: exit " + verified.exitCode() + "\n" + verified.stdout()
                    + verified.stderr());
            assertThat(verified.ok()).as(verified.stderr()).isTrue();
            assertThat(verified.stdout() + verified.stderr()).isBlank();

            dpkg("-r", "rampart");
            assertThat(Path.of("/usr/bin/rampart")).doesNotExist();
            assertThat(CACHE).as("the class cache fits only the removed jar").doesNotExist();
            assertThat(Path.of("/etc/rampart/rules")).as("a removed package keeps its conffiles").exists();
        } finally {
            dpkg("-P", "rampart");
        }
        assertThat(run("dpkg-query", "-W", "-f=${Status}", "rampart").stdout()).doesNotContain("installed");
        List<String> left = contents.stream().filter(p -> Files.exists(Path.of(p))).toList();
        assertThat(left).as("files of the package left after purge").isEmpty();
        assertThat(Path.of("/etc/rampart")).doesNotExist();
        assertThat(Path.of("/usr/share/rampart")).doesNotExist();
    }

    @Test
    void theTarballRunsWhereItIsUnpacked() throws IOException {
        ProcessResult unpacked = run("tar", "-xzf", tarball.toString(), "-C", dir.toString());
        assertThat(unpacked.ok()).as(unpacked.stderr()).isTrue();
        Path launcher = dir.resolve("rampart-" + version).resolve("bin/rampart");
        Path linked = Files.createSymbolicLink(dir.resolve("rampart"), launcher);
        // The launcher's class cache in the temporary directory, not this user's.
        String cache = "XDG_CACHE_HOME=" + dir.resolve("cache");
        ProcessResult ran = run("env", cache, linked.toString(), "--version");
        assertThat(ran.ok()).as(ran.stderr()).isTrue();
        assertThat(ran.stdout().strip()).isEqualTo("rampart " + version);
        ProcessResult checked = run("env", cache, linked.toString(), "check",
                dir.resolve("rampart-" + version).resolve("etc/rampart/fallback.rules").toString());
        assertThat(checked.ok()).as(checked.stdout() + checked.stderr()).isTrue();
        assertThat(dir.resolve("cache/rampart")).as("the class cache made by the first run").isNotEmptyDirectory();
    }

    /** The files (not directories) the package holds, as absolute paths. */
    private static List<String> packageFiles() {
        ProcessResult names = RUNNER.run(List.of("sh", "-c", "dpkg-deb --fsys-tarfile \"$0\" | tar -t", deb.toString()),
                "");
        List<String> files = new ArrayList<>();
        for (String name : names.stdout().lines().toList()) {
            if (!name.endsWith("/")) {
                files.add(name.substring(1)); // ./usr/bin/rampart
            }
        }
        assertThat(files).contains("/usr/bin/rampart", "/etc/rampart/rules", "/lib/systemd/system/rampart.service");
        return files;
    }

    /** dpkg, waiting (bounded) while another dpkg or apt holds its lock. */
    private static void dpkg(String... args) {
        List<String> command = new ArrayList<>(List.of("dpkg"));
        command.addAll(List.of(args));
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        while (true) {
            ProcessResult result = RUNNER.run(command, "");
            if (result.ok()) {
                return;
            }
            boolean locked = result.stderr().contains("lock");
            if (!locked || System.nanoTime() > deadline) {
                fail(String.join(" ", command) + ": " + result.stderr());
            }
            waitForDpkgLock(deadline);
        }
    }

    /** Returns once no process holds dpkg's lock file, or at the deadline. */
    private static void waitForDpkgLock(long deadline) {
        while (System.nanoTime() < deadline
                && run("sh", "-c", "fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock").ok()) {
            Thread.onSpinWait();
        }
    }
}
