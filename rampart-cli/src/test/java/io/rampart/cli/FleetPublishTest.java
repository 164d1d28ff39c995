package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rampart.fleet.EtcdCluster;
import io.rampart.fleet.EtcdStore;
import io.rampart.fleet.Revision;
import io.rampart.fleet.StoreLayout;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class FleetPublishTest {

    private static EtcdCluster etcd;
    private static EtcdStore store;

    @TempDir
    Path dir;

    @BeforeAll
    static void startEtcd() {
        etcd = EtcdCluster.single();
        store = EtcdStore.connect(etcd.endpoints(), StoreLayout.standard());
    }

    @AfterAll
    static void stopEtcd() {
        if (store != null) {
            store.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    private Path ruleset(String rule) throws Exception {
        Files.createDirectories(dir.resolve("rules.d"));
        Files.writeString(dir.resolve("rules.d/ssh.rules"), rule + "\n");
        return Files.writeString(dir.resolve("host.rules"), """
                *filter
                :INPUT DROP
                -A INPUT -i lo -j ACCEPT
                include "rules.d/*.rules"
                COMMIT
                """);
    }

    private static String lastLine(String text) {
        List<String> lines = text.lines().toList();
        return lines.get(lines.size() - 1);
    }

    @Test
    void storesTheFileWithItsIncludesOnceUnderItsContentsId() throws Exception {
        Path file = ruleset("-A INPUT -p tcp --dport 22 -j ACCEPT");
        Run first = Run.of("fleet", "publish", file.toString(), "--etcd", etcd.endpoints(), "--message", "ssh open");
        assertThat(first.exitCode()).as(first.err()).isZero();
        String id = lastLine(first.out());
        assertThat(id).matches("[0-9a-f]{20}");

        String key = "/rampart/revisions/" + id;
        Revision stored = Revision.fromJson(key, store.get(key).orElseThrow());
        assertThat(stored.bundle().main()).isEqualTo("host.rules");
        assertThat(stored.bundle().files()).isEqualTo(Map.of("host.rules", Files.readString(file),
                "rules.d/ssh.rules", "-A INPUT -p tcp --dport 22 -j ACCEPT\n"));
        assertThat(stored.message()).isEqualTo("ssh open");
        assertThat(stored.publishedBy()).contains("@");

        Run again = Run.of("fleet", "publish", file.toString(), "--etcd", etcd.endpoints(), "--json",
                "--message", "other words");
        assertThat(again.exitCode()).as(again.err()).isZero();
        JsonNode result = Json.parse(again.out());
        assertThat(result.get("revision").asText()).isEqualTo(id);
        assertThat(result.get("stored").asBoolean()).isFalse();
        assertThat(Revision.fromJson(key, store.get(key).orElseThrow())).isEqualTo(stored);

        Files.writeString(dir.resolve("rules.d/ssh.rules"), "-A INPUT -p tcp --dport 2222 -j ACCEPT\n");
        Run changed = Run.of("fleet", "publish", file.toString(), "--etcd", etcd.endpoints());
        assertThat(changed.exitCode()).as(changed.err()).isZero();
        assertThat(lastLine(changed.out())).isNotEqualTo(id);
    }

    @Test
    void aFileThatDoesNotCheckCleanIsRefusedWithChecksErrorsAndNothingStored() throws Exception {
        Path file = ruleset("-A INPUT -p tcp --dprot 22 -j ACCEPT");
        Map<String, String> before = store.list("/rampart/");
        Run run = Run.of("fleet", "publish", file.toString(), "--etcd", etcd.endpoints());
        assertThat(run.exitCode()).isEqualTo(1);
        Run check = Run.of("check", file.toString());
        assertThat(run.err()).contains(check.err().stripTrailing().lines().findFirst().orElseThrow())
                .contains("rules.d/ssh.rules:1:").contains("not published: it does not check clean");
        assertThat(run.out()).isEmpty();
        assertThat(store.list("/rampart/")).isEqualTo(before);
    }

    @Test
    void anIncludeOutsideTheMainFilesDirectoryIsRefused() throws Exception {
        Files.writeString(dir.resolve("outside.rules"), "-A INPUT -p udp --dport 53 -j ACCEPT\n");
        Path main = dir.resolve("sub/host.rules");
        Files.createDirectories(main.getParent());
        Files.writeString(main, "*filter\n:INPUT ACCEPT\ninclude \"../outside.rules\"\nCOMMIT\n");
        Map<String, String> before = store.list("/rampart/");
        Run run = Run.of("fleet", "publish", main.toString(), "--etcd", etcd.endpoints());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("outside.rules, which is outside").contains("only files under");
        assertThat(store.list("/rampart/")).isEqualTo(before);
    }

    @Test
    void aRulesetLargerThanEtcdTakesIsRefusedBeforeAnythingIsStored() throws Exception {
        StringBuilder text = new StringBuilder("*filter\n:INPUT ACCEPT\n");
        String comment = "# " + "x".repeat(98) + "\n";
        while (text.length() < 1600 * 1024) {
            text.append(comment);
        }
        Path file = Files.writeString(dir.resolve("large.rules"), text + "-A INPUT -j ACCEPT\nCOMMIT\n");
        Map<String, String> before = store.list("/rampart/");
        Run run = Run.of("fleet", "publish", file.toString(), "--etcd", etcd.endpoints());
        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("more than etcd takes in one request").contains("nothing was stored");
        assertThat(store.list("/rampart/")).isEqualTo(before);
    }

    @Test
    void anUnreachableEtcdIsExitFourNamingTheEndpoint() throws Exception {
        Path file = ruleset("-A INPUT -p tcp --dport 22 -j ACCEPT");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Run run = Run.of("fleet", "publish", file.toString(), "--etcd", "http://127.0.0.1:" + port);
        assertThat(run.exitCode()).isEqualTo(4);
        assertThat(run.err()).contains("etcd at http://127.0.0.1:" + port);
        Run malformed = Run.of("fleet", "publish", file.toString(), "--etcd", "127.0.0.1:2379");
        assertThat(malformed.exitCode()).isEqualTo(2);
        assertThat(malformed.err()).contains("--etcd: `127.0.0.1:2379' is not an etcd endpoint");
    }

    @Test
    void theAgentTakesAFileOrFleetModeButNotBoth() throws Exception {
        Path file = ruleset("-A INPUT -p tcp --dport 22 -j ACCEPT");
        Run neither = Run.of("agent");
        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.err()).contains("Missing required parameter: FILE (or --etcd URLS --host NAME");
        Run both = Run.of("agent", file.toString(), "--etcd", etcd.endpoints(), "--host", "a");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("fleet mode takes --etcd URLS and --host NAME, and no FILE");
        Run noHost = Run.of("agent", "--etcd", etcd.endpoints());
        assertThat(noHost.exitCode()).isEqualTo(2);
        Run labels = Run.of("agent", "--etcd", etcd.endpoints(), "--host", "a", "--labels", "role web",
                "--state-dir", dir.resolve("state").toString());
        assertThat(labels.exitCode()).isEqualTo(2);
        assertThat(labels.err()).contains("--labels: `role web' is not NAME=VALUE");
    }
}
