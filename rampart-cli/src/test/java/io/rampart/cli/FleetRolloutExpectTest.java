package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rampart.fleet.EtcdCluster;
import io.rampart.fleet.EtcdStore;
import io.rampart.fleet.HostStatus;
import io.rampart.fleet.StoreLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fleet rollout --expect} against a real etcd: the revision is proved as each selected host
 * reads it, with its labels and variables; a host on which an expectation fails refuses the whole
 * rollout before anything is written, and when every host passes the rollout runs.
 */
@Timeout(120)
class FleetRolloutExpectTest {

    private static final String RULES = """
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            -A INPUT -i lo -j ACCEPT
            -A INPUT -p tcp --dport 22 -j ACCEPT
            if defined role
              if $role == db
                -A INPUT -p tcp --dport 5432 -j ACCEPT
              end
            end
            if defined OPEN
              -A INPUT -p tcp --dport $OPEN -j ACCEPT
            end
            COMMIT
            """;

    private static final String EXPECT = """
            expect tcp in eth0 to port 22 is accepted
            expect nothing in eth0 to port 5432 is accepted
            """;

    private static final Map<String, String> ROLES = new TreeMap<>(Map.of("web1", "web", "web2", "web", "web3", "web",
            "db1", "db"));

    private static EtcdCluster etcd;
    private static EtcdStore store;
    private static final List<EtcdStore.Lease> LEASES = new ArrayList<>();
    private static String revision;
    private static String expect;

    @TempDir
    static Path dir;

    @BeforeAll
    static void fleet() throws Exception {
        etcd = EtcdCluster.single();
        store = EtcdStore.connect(etcd.endpoints(), StoreLayout.standard());
        Path rules = dir.resolve("host.rules");
        Files.writeString(rules, RULES);
        expect = TestFiles.write(dir, "host.expect", EXPECT);
        Run published = Run.of("fleet", "publish", rules.toString(), "--etcd", etcd.endpoints());
        assertThat(published.exitCode()).as(published.err()).isZero();
        List<String> lines = published.out().lines().toList();
        revision = lines.get(lines.size() - 1);
        store.put(store.layout().revision("r0"), "{}");
        for (Map.Entry<String, String> host : ROLES.entrySet()) {
            EtcdStore.Lease lease = store.lease(30, () -> { });
            LEASES.add(lease);
            store.put(store.layout().registration(host.getKey()), "{\"host\":\"" + host.getKey()
                    + "\",\"labels\":{\"role\":\"" + host.getValue() + "\"}}", lease);
            store.put(store.layout().assignment(host.getKey()), "r0");
            report(host.getKey(), "r0");
        }
    }

    @AfterAll
    static void stop() {
        LEASES.forEach(EtcdStore.Lease::close);
        if (store != null) {
            store.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    private static void report(String host, String revision) {
        store.put(store.layout().status(host), HostStatus.now(host, revision, revision, HostStatus.State.CONVERGED,
                null).toJson());
    }

    /** Every host's assignment and the rollout's state: what a refused rollout must leave as it was. */
    private static Map<String, String> written() {
        Map<String, String> keys = new TreeMap<>(store.list(store.layout().assignments()));
        store.get(store.layout().rollout()).ifPresent(state -> keys.put("rollout", state));
        return keys;
    }

    private static Run rollout(String... more) {
        List<String> args = new ArrayList<>(List.of("fleet", "rollout", revision, "--etcd", etcd.endpoints(),
                "--expect", expect));
        args.addAll(List.of(more));
        return Run.of(args.toArray(String[]::new));
    }

    @Test
    void aHostWhoseValuesBreakAnExpectationRefusesTheRolloutAndNothingIsWritten() throws Exception {
        Map<String, String> before = written();
        Run db = rollout("--select", "role=db");
        assertThat(db.exitCode()).as(db.err() + db.out()).isEqualTo(ExitCode.DRIFT);
        assertThat(db.out()).startsWith("revision " + revision + " on db1:\n")
                .contains(expect + ":1: pass: tcp in eth0 to port 22 is accepted\n")
                .contains(expect + ":2: FAIL: nothing in eth0 to port 5432 is accepted\n")
                .contains("  ACCEPT by revisions/" + revision + "/host.rules:9 (INPUT rule 3)\n")
                .contains(" (traced)\n");
        assertThat(db.err()).contains("rollout of " + revision + " not started: 1 of 2 answers to " + expect
                + " do not hold on db1; nothing was written to etcd");
        assertThat(written()).isEqualTo(before);

        // web3 alone has a variable that opens the port; web1 and web2, alike, pass.
        store.put(store.layout().vars("web3") + "OPEN", "5432");
        Run web = rollout("--select", "role=web", "--json");
        assertThat(web.exitCode()).as(web.err() + web.out()).isEqualTo(ExitCode.DRIFT);
        assertThat(web.out().lines()).hasSize(1);
        JsonNode report = Json.parse(web.out());
        assertThat(report.path("ruleset").asText()).isEqualTo("revision " + revision + " on web3");
        JsonNode failed = report.path("results").get(1);
        assertThat(failed.path("status").asText()).isEqualTo("fail");
        assertThat(failed.path("verdict").path("where").asText()).isEqualTo("revisions/" + revision
                + "/host.rules:13");
        assertThat(web.err()).contains("do not hold on web3; nothing was written to etcd");
        assertThat(written()).isEqualTo(before);

        // The counterexample, traced through web3's expansion written as its agent writes it, is accepted.
        Path expansion = dir.resolve("web3.rules");
        Path bundle = dir.resolve("revisions").resolve(revision);
        Files.createDirectories(bundle);
        Files.writeString(bundle.resolve("host.rules"), RULES);
        Files.writeString(expansion, "define role = web\ndefine OPEN = 5432\ninclude \"revisions/" + revision
                + "/host.rules\"\n");
        List<String> trace = new ArrayList<>(List.of("trace", "--json", "--rules", expansion.toString()));
        for (Iterator<Map.Entry<String, JsonNode>> it = failed.path("packet").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            trace.add("--" + field.getKey().replace('_', '-'));
            trace.add(field.getValue().asText());
        }
        Run traced = Run.of(trace.toArray(String[]::new));
        assertThat(traced.exitCode()).as(traced.err()).isZero();
        assertThat(Json.parse(traced.out()).path("verdict").asText()).isEqualTo("ACCEPT");
    }

    @Test
    void whenEveryHostPassesTheRolloutRuns() throws Exception {
        // web3's own port breaks no expectation: its expansion differs from web1's and web2's, and passes too.
        store.put(store.layout().vars("web3") + "OPEN", "2222");
        AtomicBoolean running = new AtomicBoolean(true);
        Thread agents = new Thread(() -> {
            while (running.get()) {
                for (String host : ROLES.keySet()) {
                    String assigned = store.get(store.layout().assignment(host)).orElse("r0");
                    if (assigned.equals(revision) && !store.get(store.layout().status(host)).orElseThrow()
                            .contains("\"revision\":\"" + revision + "\"")) {
                        report(host, revision);
                    }
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "fake agents");
        agents.start();
        try {
            Run run = rollout("--select", "role=web", "--waves", "100%");
            assertThat(run.exitCode()).as(run.err() + run.out()).isZero();
            assertThat(run.out()).doesNotContain("FAIL");
            assertThat(store.list(store.layout().assignments())).containsEntry(store.layout().assignment("web1"),
                    revision).containsEntry(store.layout().assignment("db1"), "r0");
        } finally {
            running.set(false);
            agents.join();
        }
    }
}
