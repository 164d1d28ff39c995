package io.rampart.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Failure;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class EtcdStoreTest {

    @Test
    void oneMemberStoresAndListsUnderThePrefix() {
        try (EtcdCluster etcd = EtcdCluster.single();
             EtcdStore store = EtcdStore.connect(etcd.endpoints(), StoreLayout.standard())) {
            assertThat(store.putIfAbsent("/rampart/a/1", "one")).isTrue();
            assertThat(store.putIfAbsent("/rampart/a/1", "other")).isFalse();
            store.put("/rampart/a/2", "two");
            assertThat(store.get("/rampart/a/1")).contains("one");
            assertThat(store.get("/rampart/a/3")).isEmpty();
            assertThat(store.list("/rampart/a/")).isEqualTo(Map.of("/rampart/a/1", "one", "/rampart/a/2", "two"));
        }
    }

    @Test
    void threeMembersShareWhatOneWasToldAndTheirDataGoesWithThem() {
        java.nio.file.Path data;
        try (EtcdCluster etcd = EtcdCluster.ofThree()) {
            assertThat(etcd.members()).hasSize(3);
            data = etcd.members().get(0).dataDir();
            try (EtcdStore first = EtcdStore.connect(etcd.members().get(0).clientUrl(), StoreLayout.standard());
                 EtcdStore third = EtcdStore.connect(etcd.members().get(2).clientUrl(), StoreLayout.standard())) {
                first.put("/rampart/shared", "yes");
                assertThat(third.get("/rampart/shared")).contains("yes");
            }
        }
        assertThat(data).doesNotExist();
    }

    @Test
    void anUnreachableEtcdIsASystemErrorNamingTheEndpoint() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String endpoint = "http://127.0.0.1:" + port;
        try (EtcdStore store = EtcdStore.connect(endpoint, StoreLayout.standard())) {
            assertThatThrownBy(() -> store.get("/rampart/x"))
                    .isInstanceOfSatisfying(Failure.class, e -> assertThat(e.category()).isEqualTo(Failure.Category.SYSTEM))
                    .hasMessageContaining("etcd at " + endpoint);
        }
    }

    @Test
    void endpointsAreHttpUrlsWithAPort() {
        assertThat(EtcdStore.parseEndpoints("http://127.0.0.1:2379, http://10.0.0.2:2379")).hasSize(2);
        assertThatThrownBy(() -> EtcdStore.parseEndpoints("127.0.0.1:2379"))
                .isInstanceOfSatisfying(Failure.class, e -> assertThat(e.category()).isEqualTo(Failure.Category.USAGE))
                .hasMessageContaining("--etcd: `127.0.0.1:2379' is not an etcd endpoint");
        assertThatThrownBy(() -> EtcdStore.parseEndpoints("http://host"))
                .hasMessageContaining("`http://host'");
    }
}
