package io.rampart.fleet;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Several writes to etcd made at once, and only while the keys they depend on are as they were
 * read: the compare-and-swap the rollout's controller and its commands rest on.
 */
final class StoreTransaction {

    /** A key's value and the store revisions at which it was created and last modified. */
    record Versioned(String value, long createRevision, long modRevision) {
    }

    private final EtcdStore store;
    private final List<Cmp> guards = new ArrayList<>();
    private final List<Op> writes = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();

    StoreTransaction(EtcdStore store) {
        this.store = store;
    }

    /** The value at {@code key} with its revisions, if it has one. */
    static Optional<Versioned> read(EtcdStore store, String key) {
        List<KeyValue> kvs = store.await(store.client().getKVClient().get(EtcdStore.bytes(key), GetOption.DEFAULT),
                "read " + key).getKvs();
        return kvs.stream().findFirst().map(kv -> new Versioned(kv.getValue().toString(StandardCharsets.UTF_8),
                kv.getCreateRevision(), kv.getModRevision()));
    }

    /** Only while {@code key} was last modified at {@code modRevision} (0: while it does not exist). */
    StoreTransaction unchanged(String key, long modRevision) {
        guards.add(new Cmp(EtcdStore.bytes(key), Cmp.Op.EQUAL, CmpTarget.modRevision(modRevision)));
        return this;
    }

    /** Only while {@code key} is the one created at {@code createRevision}: a lock still held by its taker. */
    StoreTransaction sameKey(String key, long createRevision) {
        guards.add(new Cmp(EtcdStore.bytes(key), Cmp.Op.EQUAL, CmpTarget.createRevision(createRevision)));
        return this;
    }

    StoreTransaction put(String key, String value) {
        writes.add(Op.put(EtcdStore.bytes(key), EtcdStore.bytes(value), PutOption.DEFAULT));
        keys.add(key);
        return this;
    }

    /** Puts {@code value} at {@code key}, removed when {@code lease} ends. */
    StoreTransaction put(String key, String value, EtcdStore.Lease lease) {
        writes.add(Op.put(EtcdStore.bytes(key), EtcdStore.bytes(value),
                PutOption.builder().withLeaseId(lease.id()).build()));
        keys.add(key);
        return this;
    }

    StoreTransaction delete(String key) {
        writes.add(Op.delete(EtcdStore.bytes(key), DeleteOption.DEFAULT));
        keys.add(key);
        return this;
    }

    /**
     * Makes every write when every guard holds, and returns the store's revision after it (each
     * written key's mod revision); empty, and nothing written, when a guard does not hold.
     */
    OptionalLong commit() {
        TxnResponse response = store.await(store.client().getKVClient().txn()
                .If(guards.toArray(Cmp[]::new))
                .Then(writes.toArray(Op[]::new))
                .commit(), "write " + String.join(", ", keys));
        return response.isSucceeded() ? OptionalLong.of(response.getHeader().getRevision()) : OptionalLong.empty();
    }
}
