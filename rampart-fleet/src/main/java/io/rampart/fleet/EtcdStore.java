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
import io.rampart.api.OutgoingConnection;
import io.rampart.model.Failure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
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

    /** How long {@link #reachable} pauses after every endpoint refused. */
    private static final long RETRY_PAUSE_MILLIS = 200;

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
        return connect(endpoints, layout, null);
    }

    /**
     * A store on {@code endpoints} over TLS with {@code tls}'s client certificate ({@code https://HOST:PORT}
     * endpoints), or in plain text when {@code tls} is null ({@code http://}).
     */
    public static EtcdStore connect(String endpoints, StoreLayout layout, EtcdTls tls) {
        List<URI> uris = parseEndpoints(endpoints, tls == null ? "http" : "https");
        // gRPC logs through SLF4J, which without a provider warns on stderr at every start.
        if (System.getProperty(SLF4J_VERBOSITY) == null) {
            System.setProperty(SLF4J_VERBOSITY, "ERROR");
        }
        var builder = Client.builder().endpoints(uris).connectTimeout(CONNECT_TIMEOUT).waitForReady(false)
                .retryMaxDuration(TIMEOUT);
        if (tls != null) {
            builder.sslContext(tls.sslContext());
        }
        return new EtcdStore(builder.build(), uris, layout);
    }

    /** The endpoints of {@code --etcd}; each must be a URL of {@code scheme} with a host and a port. */
    static List<URI> parseEndpoints(String text, String scheme) {
        List<URI> uris = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String endpoint = part.strip();
            try {
                URI uri = new URI(endpoint);
                if (!scheme.equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0
                        || !(uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/"))) {
                    throw new URISyntaxException(endpoint, "not of the form " + scheme + "://HOST:PORT");
                }
                uris.add(uri);
            } catch (URISyntaxException e) {
                throw new Failure(Failure.Category.USAGE, "--etcd: `" + endpoint + "' is not an etcd endpoint: write "
                        + scheme + "://HOST:PORT, several separated by commas"
                        + (scheme.equals("http") ? " (https:// with --etcd-cacert, --etcd-cert and --etcd-key)"
                        : " (http:// without --etcd-cacert, --etcd-cert and --etcd-key)"));
            }
        }
        return List.copyOf(uris);
    }

    /** The TCP connections this client opens, one per address of each endpoint, for the lockout guard. */
    public List<OutgoingConnection> connections() {
        List<OutgoingConnection> connections = new ArrayList<>();
        for (URI endpoint : endpoints) {
            try {
                for (InetAddress address : InetAddress.getAllByName(endpoint.getHost())) {
                    String literal = address.getHostAddress();
                    int scope = literal.indexOf('%');
                    connections.add(new OutgoingConnection("etcd", scope < 0 ? literal : literal.substring(0, scope),
                            endpoint.getPort()));
                }
            } catch (UnknownHostException e) {
                // a name that does not resolve leads nowhere the ruleset could cut
            }
        }
        return connections;
    }

    /**
     * Whether etcd answers within {@code within}: a new TCP connection to an endpoint, and a read of
     * {@code key} over the client's own connection, both succeed.
     */
    public boolean reachable(Duration within, String key) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            for (URI endpoint : endpoints) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()),
                            (int) Math.min(left, CONNECT_TIMEOUT.toMillis()));
                } catch (IOException e) {
                    continue;
                }
                CompletableFuture<GetResponse> read = client.getKVClient().get(bytes(key),
                        GetOption.builder().withCountOnly(true).build());
                try {
                    read.get(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())),
                            TimeUnit.MILLISECONDS);
                    return true;
                } catch (ExecutionException | TimeoutException e) {
                    read.cancel(true);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            try {
                Thread.sleep(RETRY_PAUSE_MILLIS); // every endpoint refused at once: try again shortly
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
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
        return revision(layout.prefix(), true);
    }

    /**
     * The store's revision now, read through {@code key} (with {@code prefix}, the range under it), for a
     * client whose role may read no more than that.
     */
    public long revision(String key, boolean prefix) {
        return await(client.getKVClient().get(bytes(key), GetOption.builder().isPrefix(prefix).withCountOnly(true)
                .build()), "read " + key).getHeader().getRevision();
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
