package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** check and fmt from the command line: no kernel needed. */
class LanguageCliTest {

    @TempDir
    Path dir;

    private static Run run(String... args) {
        return Run.of(args);
    }

    private Path file(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    @Test
    void checkReportsEveryErrorOfEveryFileAndExitsOne() throws IOException {
        file("parts/web.rules", "-A INPUT -p tcp --dprot 80 -j ACCEPT\n");
        Path main = file("main.rules", """
                *filter
                -A INPUT -p tcp --dport $SSH -j ACCEPT
                include "parts/web.rules"
                COMMIT
                """);
        Run check = run("check", main.toString());
        assertThat(check.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(check.err()).isEqualTo(main + ":2:25: error: undefined variable $SSH\n"
                + "  -A INPUT -p tcp --dport $SSH -j ACCEPT\n"
                + "                          ^\n"
                + "  hint: define it first: `define SSH = ...'\n"
                + dir.resolve("parts/web.rules") + ":1:17: error: unknown option --dprot\n"
                + "  -A INPUT -p tcp --dprot 80 -j ACCEPT\n"
                + "                  ^\n"
                + "  hint: did you mean --dport?\n"
                + "  included from " + main + ":3\n");
        assertThat(check.out()).isEqualTo(main + ": 2 errors, 0 warnings\n");
    }

    @Test
    void checkWithOnlyWarningsExitsZero() throws IOException {
        Path main = file("main.rules", "*filter\ninclude \"none.d/*.rules\"\n-A INPUT -j ACCEPT\nCOMMIT\n");
        Run check = run("check", main.toString());
        assertThat(check.exitCode()).isZero();
        assertThat(check.err()).startsWith(main + ":2:9: warning: `none.d/*.rules' matches no file\n");
        assertThat(check.out()).isEqualTo(main + ": ok (iptables 1 rule); 0 errors, 1 warning\n");
    }

    @Test
    void checkJsonListsTheFindings() throws IOException {
        file("inc.rules", "-A INPUT -p tcp --dprot 80 -j ACCEPT\n");
        Path main = file("main.rules", "*filter\ninclude \"inc.rules\"\nCOMMIT\n");
        Run check = run("check", "--json", main.toString());
        assertThat(check.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(check.out()).contains("\"severity\" : \"error\"", "\"line\" : 1", "\"column\" : 17",
                "\"message\" : \"unknown option --dprot\"", "\"hint\" : \"did you mean --dport?\"",
                "\"includedFrom\" : [ \"" + main + ":2\" ]");
        assertThat(check.err()).isEmpty();
    }

    @Test
    void checkExpandPrintsEachFamily() throws IOException {
        Path main = file("main.rules", """
                define ADMINS = { 192.0.2.1, 2001:db8::1 }
                *filter both
                -A INPUT -s $ADMINS -p tcp --dport {22,2222} -j ACCEPT
                COMMIT
                """);
        Run check = run("check", "--expand", main.toString());
        assertThat(check.exitCode()).isZero();
        assertThat(check.out()).isEqualTo("""
                # iptables
                *filter
                -A INPUT -s 192.0.2.1 -p tcp --dport 22 -j ACCEPT
                -A INPUT -s 192.0.2.1 -p tcp --dport 2222 -j ACCEPT
                COMMIT
                # ip6tables
                *filter
                -A INPUT -s 2001:db8::1 -p tcp --dport 22 -j ACCEPT
                -A INPUT -s 2001:db8::1 -p tcp --dport 2222 -j ACCEPT
                COMMIT
                """ + main + ": ok (iptables 2 rules, ip6tables 2 rules); 0 errors, 0 warnings\n");
    }

    @Test
    void fmtPrintsTheCanonicalLayoutAndWritesItWithW() throws IOException {
        Path main = file("main.rules", "\n*filter\nif $X   == 1\n-A INPUT   -j ACCEPT   # ok\nend\nCOMMIT\n\n");
        String canonical = "*filter\nif $X == 1\n  -A INPUT -j ACCEPT # ok\nend\nCOMMIT\n";
        Run fmt = run("fmt", main.toString());
        assertThat(fmt.exitCode()).isZero();
        assertThat(fmt.out()).isEqualTo(canonical);
        assertThat(run("fmt", "-w", main.toString()).exitCode()).isZero();
        assertThat(Files.readString(main)).isEqualTo(canonical);
    }

    @Test
    void aMissingFileIsBadInput() {
        assertThat(run("fmt", dir.resolve("none.rules").toString()).exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        Run check = run("check", dir.resolve("none.rules").toString());
        assertThat(check.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(check.err()).isEqualTo(dir.resolve("none.rules") + ": error: no such file\n");
    }
}
