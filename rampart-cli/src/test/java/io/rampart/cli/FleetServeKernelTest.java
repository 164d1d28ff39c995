package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.fleet.EtcdCluster;
import io.rampart.fleet.EtcdStore;
import io.rampart.fleet.HostStatus;
import io.rampart.fleet.StoreLayout;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --etcd}: the page gets a fleet tab, and /api/fleet the hosts and the revisions they use. */
@Timeout(60)
class FleetServeKernelTest {

    @TempDir
    Path dir;

    @Test
    void theServerShowsTheFleetOfItsEtcd() throws Exception {
        KernelTestSupport.requireKernel();
        try (Netns netns = Netns.throwaway("fleet-serve", ProcessRunner.system());
             EtcdCluster etcd = EtcdCluster.single();
             EtcdStore store = EtcdStore.connect(etcd.endpoints(), StoreLayout.standard())) {
            Files.writeString(dir.resolve("host.rules"), "*filter\n:INPUT ACCEPT\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n");
            Run published = Run.of("fleet", "publish", dir.resolve("host.rules").toString(), "--etcd", etcd.endpoints(),
                    "--message", "loopback only");
            assertThat(published.exitCode()).as(published.err()).isZero();
            String revision = published.out().lines().reduce((a, b) -> b).orElseThrow();
            store.put("/rampart/assign/web1", revision);
            store.put("/rampart/assign/web2", revision);
            store.put("/rampart/hosts/web1/status", HostStatus.now("web1", revision, revision,
                    HostStatus.State.CONVERGED, null).toJson());
            try (EtcdStore.Lease lease = store.lease(30, () -> { })) {
                store.put("/rampart/hosts/web1/registration", "{\"host\":\"web1\",\"labels\":{}}", lease);

                PipedWriter pipe = new PipedWriter();
                BufferedReader lines = new BufferedReader(new PipedReader(pipe));
                AtomicInteger exit = new AtomicInteger(-1);
                StringWriter err = new StringWriter();
                Thread serving = new Thread(() -> exit.set(Main.run(new String[] {"serve", "--netns",
                        netns.name().orElseThrow(), "--listen", "127.0.0.1:0", "--token-file",
                        dir.resolve("token").toString(), "--json", "--etcd", etcd.endpoints()},
                        new ByteArrayInputStream(new byte[0]), new PrintWriter(pipe, true), new PrintWriter(err, true),
                        Map.of())));
                serving.start();
                try {
                    String url = new ObjectMapper().readTree(lines.readLine()).get("url").asText();
                    assertThat(get(url + "api/info").get("fleet").asBoolean()).isTrue();
                    JsonNode fleet = get(url + "api/fleet");
                    assertThat(fleet.at("/status/hosts/0/host").asText()).isEqualTo("web1");
                    assertThat(fleet.at("/status/hosts/0/state").asText()).isEqualTo("converged");
                    assertThat(fleet.at("/status/hosts/1/host").asText()).isEqualTo("web2");
                    assertThat(fleet.at("/status/hosts/1/state").asText()).isEqualTo("offline");
                    assertThat(fleet.at("/status/counts/converged").asInt()).isEqualTo(1);
                    assertThat(fleet.at("/status/rollout/revision").isMissingNode()).as("no rollout yet").isTrue();
                    assertThat(fleet.at("/revisions/0/id").asText()).isEqualTo(revision);
                    assertThat(fleet.at("/revisions/0/message").asText()).isEqualTo("loopback only");
                    assertThat(fleet.at("/revisions/0/held").toString()).isEqualTo("[\"web1\"]");
                    assertThat(fleet.at("/revisions/0/assigned").toString()).isEqualTo("[\"web1\",\"web2\"]");
                    String page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    assertThat(page).contains("data-view=\"fleet\"");
                } finally {
                    serving.interrupt();
                    serving.join();
                }
                assertThat(exit.get()).as(err.toString()).isEqualTo(ExitCode.OK);
            }
        }
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
    }
}
