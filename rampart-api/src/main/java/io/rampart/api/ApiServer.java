package io.rampart.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.rampart.model.Failure;
import io.rampart.system.ProcessRunner;
import io.rampart.system.agent.SyncStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The HTTP server of {@code rampart serve}: the JSON API over {@link RampartService}, the event
 * stream, the OpenAPI document and the page. Requests that change the kernel need the bearer
 * token; bodies are limited; errors are JSON: {@code {"error": "...", "exit": n}}.
 */
public final class ApiServer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    /** The threads that answer requests; event streams have threads of their own. */
    static final int REQUEST_THREADS = 8;
    /** How much of a too-large body is still read (and dropped) to answer it cleanly. */
    private static final int DRAIN_LIMIT = 8 << 20;

    private final HttpServer server;
    private final ExecutorService threads;
    private final ServerOptions options;
    private final Routes routes;
    private final EventHub hub;
    private final ConfirmationWatch confirmations;
    private final DriftWatch watch;
    private final boolean tls;

    private ApiServer(HttpServer server, ExecutorService threads, ServerOptions options, Routes routes, EventHub hub,
                      ConfirmationWatch confirmations, DriftWatch watch, boolean tls) {
        this.server = server;
        this.threads = threads;
        this.options = options;
        this.routes = routes;
        this.hub = hub;
        this.confirmations = confirmations;
        this.watch = watch;
        this.tls = tls;
    }

    /** Binds, starts watching the kernel and serves until {@link #close()}. */
    public static ApiServer start(RampartService service, ServerOptions options, ProcessRunner runner) {
        return start(service, options, runner, null);
    }

    /** The same, with the page's fleet view read from {@code fleet} (null for none). */
    public static ApiServer start(RampartService service, ServerOptions options, ProcessRunner runner,
                                  FleetSource fleet) {
        options.validate();
        SSLContext tls = options.keystore() == null ? null : sslContext(options);
        HttpServer server;
        try {
            if (tls != null) {
                HttpsServer https = HttpsServer.create(options.listen(), 0);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = https;
            } else {
                server = HttpServer.create(options.listen(), 0);
            }
        } catch (IOException e) {
            throw new Failure(Failure.Category.SYSTEM, "cannot listen on " + options.listen() + ": " + e.getMessage());
        }
        // Requests beyond the pool's threads wait their turn: the dispatcher only accepts, never answers,
        // and event streams are written by the hub's own threads.
        ThreadPoolExecutor threads = new ThreadPoolExecutor(REQUEST_THREADS, REQUEST_THREADS, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread thread = new Thread(r, "request");
                    thread.setDaemon(true);
                    return thread;
                });
        threads.allowCoreThreadTimeOut(true);
        EventHub hub = new EventHub();
        ConfirmationWatch confirmations = new ConfirmationWatch(service, hub);
        DriftWatch watch = new DriftWatch(service, hub, runner);
        ApiServer api = new ApiServer(server, threads, options, new Routes(service, hub, confirmations,
                new Metrics(service, options.metricsRules(), Path.of(SyncStats.ROOT)), fleet), hub,
                confirmations, watch, tls != null);
        server.createContext("/", api::handle);
        server.setExecutor(threads);
        try {
            watch.start();
        } catch (RuntimeException e) {
            api.close();
            throw e;
        }
        server.start();
        return api;
    }

    private static SSLContext sslContext(ServerOptions options) {
        try (InputStream in = Files.newInputStream(options.keystore())) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, options.keystorePassword());
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, options.keystorePassword());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new Failure(Failure.Category.INPUT, options.keystore() + ": cannot use it as a PKCS12 keystore: "
                    + e.getMessage());
        }
    }

    /** The address actually bound (the port is chosen by the system for port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@code http://127.0.0.1:8080/}, or https. */
    public String url() {
        String host = address().getAddress().getHostAddress();
        return (tls ? "https" : "http") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
                + address().getPort() + "/";
    }

    private void handle(HttpExchange exchange) {
        try {
            dispatch(exchange);
        } finally {
            if (!EventHub.isStream(exchange)) {
                exchange.close();
            }
        }
    }

    private void dispatch(HttpExchange exchange) {
        try {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (options.listen().getAddress().isLoopbackAddress()
                    && !isLoopbackName(exchange.getRequestHeaders().getFirst("Host"))) {
                // A web page elsewhere could point a name at 127.0.0.1 (DNS rebinding) and read the API.
                error(exchange, 403, Failure.Category.USAGE, "the server listens on loopback only: address it as 127.0.0.1,"
                        + " [::1] or localhost");
                return;
            }
            List<Routes.Route> matching = routes.all().stream().filter(r -> r.path().equals(path)).toList();
            Routes.Route route = matching.stream().filter(r -> r.method().equals(method)).findFirst().orElse(null);
            if (route == null) {
                if (matching.isEmpty()) {
                    error(exchange, 404, Failure.Category.USAGE, "no such endpoint: " + method + " " + path);
                } else {
                    exchange.getResponseHeaders().set("Allow", matching.get(0).method());
                    error(exchange, 405, Failure.Category.USAGE, path + " takes " + matching.get(0).method() + ", not "
                            + method);
                }
                return;
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (route.mutating() && !options.token().authorizes(authorization)) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"rampart\"");
                error(exchange, 401, Failure.Category.USAGE, method + " " + path
                        + " changes the kernel: send `Authorization: Bearer TOKEN' with the token from the server's"
                        + " token file");
                return;
            }
            byte[] body = method.equals("POST") ? readBody(exchange) : new byte[0];
            if (body == null) {
                // The server does not keep the connection after this; say so, so the client does not reuse it.
                exchange.getResponseHeaders().set("Connection", "close");
                error(exchange, 413, Failure.Category.INPUT, "the request body is larger than " + options.maxBodyBytes()
                        + " bytes");
                return;
            }
            route.handler().handle(exchange, new Routes.Request(query(exchange), body));
        } catch (Failure e) {
            error(exchange, status(e.category()), e.category(), e.getMessage());
        } catch (JsonProcessingException e) {
            error(exchange, status(Failure.Category.INPUT), Failure.Category.INPUT,
                    "the request body is not the JSON this endpoint takes: " + e.getOriginalMessage());
        } catch (IOException e) {
            // the client went away; nothing to answer
        } catch (RuntimeException e) {
            error(exchange, status(Failure.Category.SYSTEM), Failure.Category.SYSTEM, "internal error: " + e);
        }
    }

    private static boolean isLoopbackName(String host) {
        if (host == null) {
            return false;
        }
        String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1) : host.replaceFirst(":\\d+$", "");
        return name.equals("localhost") || name.equals("[::1]") || name.matches("127\\.\\d+\\.\\d+\\.\\d+");
    }

    /**
     * The body, or null when it is larger than the limit. Of a body too large, at most
     * {@link #DRAIN_LIMIT} bytes are read and dropped, so that a client still sending it gets to read
     * the 413 rather than a reset connection; a larger one is not read at all.
     */
    private byte[] readBody(HttpExchange exchange) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        long declared = length != null && length.matches("\\d{1,18}") ? Long.parseLong(length) : -1;
        InputStream in = exchange.getRequestBody();
        if (declared > options.maxBodyBytes()) {
            if (declared <= DRAIN_LIMIT) {
                in.skipNBytes(declared);
            }
            return null;
        }
        byte[] body = in.readNBytes(options.maxBodyBytes() + 1);
        if (body.length <= options.maxBodyBytes()) {
            return body;
        }
        in.readNBytes(DRAIN_LIMIT); // a chunked body: drop what can be dropped cheaply
        return null;
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> values = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                values.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    /** The HTTP status of a failed request, by the kind of failure. */
    static int status(Failure.Category category) {
        return switch (category) {
            case INPUT, USAGE -> 400;
            case DRIFT -> 409;
            case SYSTEM -> 500;
        };
    }

    /**
     * The error as JSON, with the exit code the command line would give, unless the response has
     * begun (an event stream), which then just ends.
     */
    private static void error(HttpExchange exchange, int status, Failure.Category category, String message) {
        if (exchange.getResponseCode() != -1) {
            return;
        }
        try {
            Map<String, Object> body = new java.util.LinkedHashMap<>();
            body.put("error", message);
            body.put("exit", category.exitCode());
            send(exchange, status, "application/json", JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            // the client went away
        }
    }

    static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        watch.close();
        confirmations.close();
        hub.close();
        server.stop(0);
        threads.shutdownNow();
    }
}
