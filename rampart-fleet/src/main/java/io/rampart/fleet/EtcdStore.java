package io.rampart.fleet;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.options.WatchOption;
import io.grpc.stub.StreamObserver;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.rampart.model.Failure;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The fleet's etcd: keys and values as UTF-8 text under one {@link StoreLayout}, every operation
 * bounded by {@link #TIMEOUT}, so an unreachable etcd is an error naming its endpoints (exit 4)
 * rather than a hang.
 */
public final class EtcdStore implements AutoCloseable {

    /**
     * How long one operation may take, connecting (and the first call's loading of the client) included;
     * a refused connection fails at once, this bounds an endpoint that does not answer.
     */
    public static final Duration TIMEOUT = Duration.ofSeconds(15);

    /** How long connecting to an endpoint may take. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private static final String SLF4J_VERBOSITY = "slf4j.internal.verbosity";

    private final Client client;
    private final List<URI> endpoints;
    private final StoreLayout layout;

    private EtcdStore(Client client, List<URI> endpoints, StoreLayout layout) {
        this.client = client;
        this.endpoints = endpoints;
        this.layout = layout;
    }

    /**
     * A store on the comma-separated {@code endpoints} ({@code http://HOST:PORT}, as etcd's
     * {@code --advertise-client-urls} names them). Connecting happens at the first operation.
     */
    public static EtcdStore connect(String endpoints, StoreLayout layout) {
        List<URI> uris = parseEndpoints(endpoints);
        // gRPC logs through SLF4J, which without a provider warns on stderr at every start.
        if (System.getProperty(SLF4J_VERBOSITY) == null) {
            System.setProperty(SLF4J_VERBOSITY, "ERROR");
        }
        Client client = Client.builder().endpoints(uris).connectTimeout(CONNECT_TIMEOUT).waitForReady(false)
                .retryMaxDuration(TIMEOUT).build();
        return new EtcdStore(client, uris, layout);
    }

    /** The endpoints of {@code --etcd}; each must be an http URL with a host and a port. */
    static List<URI> parseEndpoints(String text) {
        List<URI> uris = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String endpoint = part.strip();
            try {
                URI uri = new URI(endpoint);
                if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0
                        || !(uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/"))) {
                    throw new URISyntaxException(endpoint, "not of the form http://HOST:PORT");
                }
                uris.add(uri);
            } catch (URISyntaxException e) {
                throw new Failure(Failure.Category.USAGE, "--etcd: `" + endpoint
                        + "' is not an etcd endpoint: write http://HOST:PORT, several separated by commas");
            }
        }
        return List.copyOf(uris);
    }

    public StoreLayout layout() {
        return layout;
    }

    /** The client, for the transactions of {@link StoreTransaction}. */
    Client client() {
        return client;
    }

    /** The endpoints as the user gave them, for messages. */
    public String endpoints() {
        return String.join(",", endpoints.stream().map(URI::toString).toList());
    }

    /** The value of {@code key}, if it has one. */
    public Optional<String> get(String key) {
        GetResponse response = await(client.getKVClient().get(bytes(key)), "read " + key);
        return response.getKvs().stream().findFirst().map(kv -> kv.getValue().toString(StandardCharsets.UTF_8));
    }

    /** Every key under {@code prefix} with its value, in key order. */
    public Map<String, String> list(String prefix) {
        GetResponse response = await(client.getKVClient().get(bytes(prefix),
                GetOption.builder().isPrefix(true).withSortField(GetOption.SortTarget.KEY).build()), "list " + prefix);
        Map<String, String> found = new LinkedHashMap<>();
        for (KeyValue kv : response.getKvs()) {
            found.put(kv.getKey().toString(StandardCharsets.UTF_8), kv.getValue().toString(StandardCharsets.UTF_8));
        }
        return found;
    }

    /** Writes {@code value} at {@code key} unless the key exists; true when it was written. */
    public boolean putIfAbsent(String key, String value) {
        ByteSequence k = bytes(key);
        TxnResponse response = await(client.getKVClient().txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(k, bytes(value), PutOption.DEFAULT))
                .commit(), "write " + key);
        return response.isSucceeded();
    }

    /** Writes {@code value} at {@code key}. */
    public void put(String key, String value) {
        await(client.getKVClient().put(bytes(key), bytes(value)), "write " + key);
    }

    /** The store's revision now: a watch from one past it misses nothing written after this read. */
    public long revision() {
        return await(client.getKVClient().get(bytes(layout.prefix()), GetOption.builder().withCountOnly(true).build()),
                "read " + layout.prefix()).getHeader().getRevision();
    }

    /** A lease of {@code ttlSeconds}, kept alive until the returned handle is closed; {@code onLost} hears its end. */
    public Lease lease(long ttlSeconds, Runnable onLost) {
        long id = await(client.getLeaseClient().grant(ttlSeconds), "grant a lease").getID();
        CloseableClient keeping = client.getLeaseClient().keepAlive(id, new StreamObserver<LeaseKeepAliveResponse>() {
            @Override
            public void onNext(LeaseKeepAliveResponse response) {
                if (response.getTTL() <= 0) {
                    onLost.run();
                }
            }

            @Override
            public void onError(Throwable t) {
                onLost.run();
            }

            @Override
            public void onCompleted() {
                onLost.run();
            }
        });
        return new Lease(id, keeping);
    }

    /** A granted lease: keys put with it go when it expires. */
    public record Lease(long id, CloseableClient keeping) implements AutoCloseable {
        @Override
        public void close() {
            keeping.close();
        }
    }

    /** Writes {@code value} at {@code key}, to be removed when {@code lease} ends. */
    public void put(String key, String value, Lease lease) {
        await(client.getKVClient().put(bytes(key), bytes(value), PutOption.builder().withLeaseId(lease.id()).build()),
                "write " + key);
    }

    /**
     * Watches {@code key} (with {@code prefix}, every key under it) from {@code fromRevision}: {@code onChange} hears each batch
     * of changes, {@code onBroken} the watch's end (etcd gone, or the revision compacted away), after
     * which the caller re-reads and watches again.
     */
    public AutoCloseable watch(String key, boolean prefix, long fromRevision, Runnable onChange, Runnable onBroken) {
        Watch.Watcher watcher = client.getWatchClient().watch(bytes(key),
                WatchOption.builder().isPrefix(prefix).withRevision(fromRevision).build(),
                Watch.listener(response -> onChange.run(), error -> onBroken.run(), onBroken));
        return watcher::close;
    }

    /** Waits for {@code future} within the timeout; an unreachable etcd becomes exit 4 with its endpoints. */
    <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw unreachable(what, "no answer within " + TIMEOUT.toSeconds() + " s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw unreachable(what, cause.getMessage() == null ? cause.toString() : cause.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreachable(what, "interrupted");
        }
    }

    private Failure unreachable(String what, String why) {
        return new Failure(Failure.Category.SYSTEM, "etcd at " + endpoints() + ": cannot " + what + ": " + why);
    }

    static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        client.close();
    }
}
