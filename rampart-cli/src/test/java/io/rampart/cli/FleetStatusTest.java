package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rampart.fleet.EtcdCluster;
import io.rampart.fleet.EtcdStore;
import io.rampart.fleet.HostStatus;
import io.rampart.fleet.StoreLayout;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class FleetStatusTest {

    @Test
    void oneLinePerHostWithOfflineForAGoneLeaseAndExitThreeUnlessAllConverged() {
        try (EtcdCluster etcd = EtcdCluster.single();
             EtcdStore store = EtcdStore.connect(etcd.endpoints(), StoreLayout.standard())) {
            Run empty = Run.of("fleet", "status", "--etcd", etcd.endpoints());
            assertThat(empty.exitCode()).as(empty.err()).isZero();
            assertThat(empty.out()).contains("0 host(s)");

            try (EtcdStore.Lease lease = store.lease(30, () -> { })) {
                store.put("/rampart/hosts/web1/registration", "{}", lease);
                store.put("/rampart/assign/web1", "aaaa");
                store.put("/rampart/hosts/web1/status", HostStatus.now("web1", "aaaa", "aaaa",
                        HostStatus.State.CONVERGED, null).toJson());
                Run converged = Run.of("fleet", "status", "--etcd", etcd.endpoints());
                assertThat(converged.exitCode()).as(converged.err()).isZero();
                assertThat(converged.out()).contains("web1  converged  revision aaaa; reported ");

                // web2 reported a failure, then its lease went: it is offline, and its last error stays shown.
                Instant reported = Instant.now().minusSeconds(90);
                store.put("/rampart/assign/web2", "bbbb");
                store.put("/rampart/hosts/web2/status", new HostStatus("web2", "aaaa", "bbbb",
                        HostStatus.State.FAILED, "host.rules:3:9: error: bad address\n  more", reported.toString())
                        .toJson());
                // web3 was assigned a revision but never came.
                store.put("/rampart/assign/web3", "bbbb");
                Run mixed = Run.of("fleet", "status", "--etcd", etcd.endpoints());
                assertThat(mixed.exitCode()).isEqualTo(3);
                // A loaded machine may take seconds between the report and the command's reading of the clock.
                long ago = secondsSince(reported);
                String web2Ago = mixed.out().replaceAll("(?s).*web2 .*?reported (\\d+) s ago.*", "$1");
                assertThat(Long.parseLong(web2Ago)).isBetween(90L, ago);
                assertThat(mixed.out().lines().toList()).containsExactly(
                        "web1  converged  revision aaaa; reported " + mixed.out().lines().findFirst().orElseThrow()
                                .replaceAll(".*reported ", ""),
                        "web2  offline    revision aaaa (assigned bbbb); reported " + web2Ago
                                + " s ago; error: host.rules:3:9: error: bad address",
                        "web3  offline    revision - (assigned bbbb); never reported",
                        "3 host(s): 1 converged, 0 applying, 0 failed, 0 drifted, 2 offline");

                Run json = Run.of("fleet", "status", "--etcd", etcd.endpoints(), "--json");
                assertThat(json.exitCode()).isEqualTo(3);
                JsonNode result = Json.parse(json.out());
                assertThat(result.get("converged").asBoolean()).isFalse();
                assertThat(result.get("counts").get("offline").asInt()).isEqualTo(2);
                assertThat(result.get("hosts").get(1).get("error").asText()).startsWith("host.rules:3:9");
                assertThat(result.get("hosts").get(1).get("reportedSecondsAgo").asLong())
                        .isBetween(90L, secondsSince(reported));
            }
        }
    }

    private static long secondsSince(Instant instant) {
        return Duration.between(instant, Instant.now()).toSeconds();
    }
}
