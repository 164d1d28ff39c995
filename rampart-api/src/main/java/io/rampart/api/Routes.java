package io.rampart.api;

import com.sun.net.httpserver.HttpExchange;
import io.rampart.model.Failure;
import io.rampart.reconcile.Plan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Every endpoint of the server: method, path, whether it changes the kernel, and what it does. */
final class Routes {

    private static final String WEB = "/io/rampart/api/web/";

    /**
     * What a handler gets: the query parameters and the (size-checked) body. A handler reads only the
     * parameters its route declares, so the route's declaration, which the OpenAPI document is checked
     * against, is the whole of what it reads.
     */
    record Request(Map<String, String> query, byte[] body, List<String> declared) {

        Request(Map<String, String> query, byte[] body) {
            this(query, body, List.of());
        }

        <T> T body(Class<T> type) throws IOException {
            if (body.length == 0) {
                throw new Failure(Failure.Category.INPUT, "the request needs a JSON body");
            }
            return ApiServer.JSON.readValue(body, type);
        }

        /** The query parameter {@code name}, or null when the request has none; {@code name} must be declared. */
        String param(String name) {
            if (!declared.contains(name)) {
                throw new IllegalStateException("the route does not declare the query parameter " + name);
            }
            return query.get(name);
        }

        private Request declaring(List<String> names) {
            return new Request(query, body, names);
        }
    }

    @FunctionalInterface
    interface Handler {
        void handle(HttpExchange exchange, Request request) throws IOException;
    }

    /**
     * One endpoint, declared once: its method and path, whether it changes the kernel (those need the
     * bearer token), the query parameters it reads, the JSON body it takes and the JSON it answers
     * (null when it takes or answers none), and what it does. The OpenAPI document must say the same
     * ({@code OpenApiTest}).
     */
    record Route(String method, String path, boolean mutating, List<String> query, Class<?> body, Class<?> answer,
                 Handler handler) {

        Route {
            query = List.copyOf(query);
        }
    }

    /** Who the server is, for the page: the namespace, family and file it was started with, and whether it shows a fleet. */
    record ServerInfo(String netns, String family, String file, boolean fleet) {
    }

    private final RampartService service;
    private final EventHub hub;
    private final ConfirmationWatch confirmations;
    private final Metrics metrics;
    private final FleetSource fleet;
    private final List<Route> all;

    Routes(RampartService service, EventHub hub, ConfirmationWatch confirmations, Metrics metrics) {
        this(service, hub, confirmations, metrics, null);
    }

    /** With {@code fleet}, the fleet the page shows; null for a server without one. */
    Routes(RampartService service, EventHub hub, ConfirmationWatch confirmations, Metrics metrics, FleetSource fleet) {
        this.fleet = fleet;
        this.service = service;
        this.hub = hub;
        this.confirmations = confirmations;
        this.metrics = metrics;
        this.all = List.of(
                resource("/", "index.html", "text/html; charset=utf-8"),
                resource("/app.js", "app.js", "text/javascript; charset=utf-8"),
                resource("/app.css", "app.css", "text/css; charset=utf-8"),
                resource("/openapi.json", "openapi.json", "application/json"),
                get("/api/info", List.of(), ServerInfo.class, r -> new ServerInfo(service.netns().orElse(null),
                        service.family().name().toLowerCase(java.util.Locale.ROOT),
                        service.file().map(Object::toString).orElse(null), fleet != null)),
                get("/api/ruleset", List.of("family"), LiveRulesetResult.class,
                        r -> service.live(r.param("family"))),
                get("/api/chains", List.of("family"), RulesetOutline.class, r -> service.outline(r.param("family"))),
                get("/api/chain", List.of("family", "table", "chain"), ChainRulesResult.class,
                        r -> service.chain(r.param("family"), r.param("table"), r.param("chain"))),
                get("/api/search", List.of("family", "q", "limit"), SearchResult.class,
                        r -> service.search(r.param("family"), r.param("q"), r.param("limit"))),
                get("/api/extensions", List.of("name"), ExtensionsResult.class,
                        r -> service.extensions(r.param("name"))),
                post("/api/canon", false, List.of(), CanonRequest.class, CanonResult.class,
                        r -> service.canon(r.body(CanonRequest.class))),
                post("/api/check", false, List.of(), RulesetRequest.class, CheckResult.class,
                        r -> service.check(r.body(RulesetRequest.class))),
                post("/api/plan", false, List.of(), RulesetRequest.class, Plan.class,
                        r -> service.plan(r.body(RulesetRequest.class))),
                post("/api/apply", true, List.of(), RulesetRequest.class, ApplyResult.class, this::apply),
                post("/api/confirm", true, List.of("family"), null, ConfirmResult.class,
                        r -> service.confirm(r.param("family"))),
                post("/api/rollback", true, List.of("family"), null, ConfirmResult.class,
                        r -> service.rollback(r.param("family"))),
                get("/api/status", List.of(), StatusResult.class, r -> service.status()),
                post("/api/trace", false, List.of(), TraceRequest.class, TraceResult.class,
                        r -> service.trace(r.body(TraceRequest.class))),
                new Route("GET", "/api/events", false, List.of(), null, null, this::events),
                get("/api/fleet", List.of(), Object.class, r -> fleet()),
                new Route("GET", "/metrics", false, List.of(), null, null, (exchange, request) -> ApiServer.send(
                        exchange, 200, PrometheusText.CONTENT_TYPE, metrics.scrape().getBytes(StandardCharsets.UTF_8))));
    }

    List<Route> all() {
        return all;
    }

    private ApplyResult apply(Request request) throws IOException {
        ApplyResult result = service.apply(request.body(RulesetRequest.class));
        metrics.applied(result);
        if (result.changed()) {
            hub.publish(ServerEvent.now("applied", result.plan(), null));
        }
        if (result.confirmation() != null) {
            confirmations.follow(service.family(request.body(RulesetRequest.class).family()));
        }
        return result;
    }

    /** A handler that may throw what reading the body throws. */
    @FunctionalInterface
    private interface Call {
        Object run(Request request) throws IOException;
    }

    /** A GET that reads {@code query} and answers {@code answer} as JSON. */
    private static Route get(String path, List<String> query, Class<?> answer, Call call) {
        return new Route("GET", path, false, query, null, answer, json(query, call));
    }

    /** A POST that reads {@code query} and the JSON {@code body}, and answers {@code answer} as JSON. */
    private static Route post(String path, boolean mutating, List<String> query, Class<?> body, Class<?> answer,
                              Call call) {
        return new Route("POST", path, mutating, query, body, answer, json(query, call));
    }

    private static Handler json(List<String> query, Call call) {
        return (exchange, request) -> ApiServer.send(exchange, 200, "application/json",
                ApiServer.JSON.writeValueAsBytes(call.run(request.declaring(query))));
    }

    /** A file of the page, as {@code type}. */
    private static Route resource(String path, String name, String type) {
        return new Route("GET", path, false, List.of(), null, null, (exchange, request) -> {
            try (InputStream in = Routes.class.getResourceAsStream(WEB + name)) {
                if (in == null) {
                    throw new IllegalStateException(name + " is missing from the build");
                }
                // The page uses nothing from elsewhere; the policy keeps it so.
                exchange.getResponseHeaders().set("Content-Security-Policy",
                        "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'");
                ApiServer.send(exchange, 200, type, in.readAllBytes());
            }
        });
    }

    /** The fleet the server shows; one started without it says so. */
    private Object fleet() {
        if (fleet == null) {
            throw new Failure(Failure.Category.INPUT, "this server shows no fleet: start it with --etcd URLS");
        }
        return fleet.read();
    }

    /** Server-sent events: one {@code event: KIND} and {@code data: JSON} per event, until the client leaves. */
    private void events(HttpExchange exchange, Request request) throws IOException {
        hub.open(exchange);
    }
}
