package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
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

/** stage, switch, stages and unstage from the command line, next to apply and status, in a throwaway namespace. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StageCliKernelTest {

    private Netns netns;
    private String name;

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        KernelTestSupport.requireKernel();
        netns = Netns.throwaway("stage", ProcessRunner.system());
        name = netns.name().orElseThrow();
    }

    @AfterEach
    void stop() {
        if (netns != null) {
            netns.close();
        }
    }

    private Run run(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--netns";
        all[args.length + 1] = name;
        return Run.of(all);
    }

    private Run ok(String... args) {
        Run run = run(args);
        assertThat(run.exitCode()).as(String.join(" ", args) + ": " + run.err()).isZero();
        return run;
    }

    private String file(String fileName, String text) throws IOException {
        Path file = dir.resolve(fileName);
        Files.writeString(file, text);
        return file.toString();
    }

    private String saved(String command) {
        return netns.run(List.of(command), "").stdout().lines().filter(l -> !l.startsWith("#"))
                .reduce("", (a, b) -> a + b + "\n");
    }

    private static List<String> rulesOf(String saved, String chain) {
        return saved.lines().filter(l -> l.startsWith("-A " + chain + " ")).toList();
    }

    private static final String HOST = """
            *filter
            :INPUT DROP [0:0]
            :SSH - [0:0]
            # rampart: shared FORWARD head
            -A INPUT -i lo -j ACCEPT
            -A INPUT -p tcp --dport ssh -j SSH
            -A SSH -s 192.0.2.0/24 -j ACCEPT
            -A FORWARD -s 10.6.6.6 -j DROP
            COMMIT
            """;

    private static final String WEB = """
            *filter
            :INPUT ACCEPT [0:0]
            :WEB - [0:0]
            :a-user-chain-of-25-chars - [0:0]
            -A INPUT -p tcp --dport 80 -j WEB
            -A INPUT -p tcp --dport 81 -g a-user-chain-of-25-chars
            -A WEB -j ACCEPT
            -A a-user-chain-of-25-chars -j RETURN
            COMMIT
            *nat
            :POSTROUTING ACCEPT [0:0]
            -A POSTROUTING -o lo -j RETURN
            COMMIT
            """;

    @Test
    void stageSwitchAndSwitchBackNextToApplyAndForeignRules() throws IOException {
        netns.run(List.of("iptables", "-A", "FORWARD", "-s", "10.9.9.9", "-j", "ACCEPT"), "");
        String host = file("host.rules", HOST);
        ok("apply", host);
        String before = saved("iptables-save");

        Run staged = ok("stage", "web", file("web.rules", WEB));
        assertThat(staged.out()).startsWith("staged web: 4 chains, 5 rules");
        String afterStage = saved("iptables-save");
        for (String builtin : List.of("INPUT", "FORWARD", "OUTPUT")) {
            assertThat(rulesOf(afterStage, builtin)).as(builtin).isEqualTo(rulesOf(before, builtin));
        }
        String hashed = afterStage.lines().filter(l -> l.startsWith(":RS.web.~")).findFirst().orElseThrow();
        assertThat(hashed.substring(1, hashed.indexOf(' '))).hasSizeLessThanOrEqualTo(28);
        assertThat(afterStage).contains("-A RS.web.INPUT -p tcp -m tcp --dport 80 -j RS.web.WEB")
                .contains("-A RS.web.INPUT -p tcp -m tcp --dport 81 -g " + hashed.substring(1, hashed.indexOf(' ')));
        assertThat(ok("status", host).out()).startsWith("in sync");
        assertThat(ok("apply", host).out()).startsWith("nothing to change");

        JsonNode switched = new ObjectMapper().readTree(ok("switch", "web", "--json").out());
        assertThat(switched.get("stage").asText()).isEqualTo("web");
        assertThat(switched.get("captured").asText()).isEqualTo("previous");
        assertThat(switched.get("rules").asInt()).isEqualTo(4);
        assertThat(switched.get("processes").asInt()).isEqualTo(2);
        String live = saved("iptables-save");
        assertThat(rulesOf(live, "INPUT")).containsExactly("-A INPUT -j RS.web.INPUT");
        assertThat(rulesOf(live, "FORWARD")).containsExactly("-A FORWARD -s 10.9.9.9/32 -j ACCEPT");
        assertThat(rulesOf(live, "POSTROUTING")).containsExactly("-A POSTROUTING -j RS.web.POSTROUTING");
        assertThat(live).contains(":INPUT ACCEPT").contains("-A RS.previous.INPUT -p tcp -m tcp --dport 22 -j RS.previous.SSH");
        assertThat(run("status", host).exitCode()).isEqualTo(ExitCode.DRIFT);

        assertThat(ok("switch", "previous").out()).startsWith("switched to previous; 2 processes");
        String back = saved("iptables-save");
        assertThat(back).contains(":INPUT DROP");
        assertThat(rulesOf(back, "INPUT")).containsExactly("-A INPUT -j RS.previous.INPUT");
        assertThat(rulesOf(back, "FORWARD")).as("the head block's hook goes where the block was")
                .containsExactly("-A FORWARD -j RS.previous.FORWARD", "-A FORWARD -s 10.9.9.9/32 -j ACCEPT");
        assertThat(rulesOf(back, "POSTROUTING")).as("previous sets the policy web had set, so it hooks there too")
                .containsExactly("-A POSTROUTING -j RS.previous.POSTROUTING");

        JsonNode stages = new ObjectMapper().readTree(ok("stages", "--json").out());
        assertThat(stages.get("stages")).extracting(s -> s.get("name").asText() + ":" + s.get("live").asBoolean())
                .containsExactlyInAnyOrder("previous:true", "web:false");
        assertThat(ok("stages").out()).contains("previous (live)").contains("filter RS.web.WEB: 1 rule");

        Run refused = run("unstage", "previous");
        assertThat(refused.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(refused.err()).contains("stage `previous' is live");
        ok("apply", host);
        assertThat(rulesOf(saved("iptables-save"), "INPUT")).as("apply takes INPUT back from the stage")
                .containsExactly("-A INPUT -i lo -j ACCEPT", "-A INPUT -p tcp -m tcp --dport 22 -j SSH");
        assertThat(ok("status", host).out()).startsWith("in sync");
        ok("unstage", "web");
        assertThat(saved("iptables-save")).doesNotContain("RS.web").contains("RS.previous.INPUT");
    }

    @Test
    void ipv6StagesAreTheirOwn() throws IOException {
        String v6 = file("v6.rules", "*filter\n:INPUT DROP [0:0]\n-A INPUT -p ipv6-icmp -j ACCEPT\nCOMMIT\n");
        ok("stage", "-6", "six", v6);
        ok("switch", "-6", "six");
        assertThat(rulesOf(saved("ip6tables-save"), "INPUT")).containsExactly("-A INPUT -j RS.six.INPUT");
        assertThat(saved("ip6tables-save")).contains(":INPUT DROP");
        assertThat(saved("iptables-save")).doesNotContain("RS.");
        assertThat(ok("stages").out()).isEqualTo("no stages\n");
        assertThat(ok("stages", "-6").out()).contains("six (live)");
    }

    @Test
    void badInputIsAnErrorAndChangesNothing() throws IOException {
        ok("stage", "web", file("web.rules", WEB));
        String before = saved("iptables-save");

        Run badName = run("stage", "web.1", file("other.rules", WEB));
        assertThat(badName.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(badName.err()).contains("stage name `web.1': use 1 to 10 letters, digits");

        String broken = file("broken.rules", WEB.replace("--dport 80", "--dprot 80"));
        Run badFile = run("stage", "web", broken);
        assertThat(badFile.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(badFile.err()).contains(broken + ":5:17: error: unknown option --dprot");

        Run unknown = run("switch", "nope");
        assertThat(unknown.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(unknown.err()).contains("no stage `nope'");

        Run refused = run("stage", "web", file("refused.rules",
                "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m set --match-set nosuchset src -j ACCEPT\nCOMMIT\n"));
        assertThat(refused.exitCode()).isEqualTo(ExitCode.SYSTEM);
        assertThat(refused.err()).contains("the kernel refused").contains("nothing was changed");

        assertThat(run("switch").exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(saved("iptables-save")).isEqualTo(before);
    }
}
