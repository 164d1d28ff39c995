package io.rampart.api;

import com.sun.net.httpserver.HttpExchange;
import io.rampart.model.Failure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Every endpoint of the server: method, path, whether it changes the kernel, and what it does. */
final class Routes {

    private static final String WEB = "/io/rampart/api/web/";

    /** What a handler gets: the query parameters and the (size-checked) body. */
    record Request(Map<String, String> query, byte[] body) {
        <T> T body(Class<T> type) throws IOException {
            if (body.length == 0) {
                throw new Failure(Failure.Category.INPUT, "the request needs a JSON body");
            }
            return ApiServer.JSON.readValue(body, type);
        }
    }

    @FunctionalInterface
    interface Handler {
        void handle(HttpExchange exchange, Request request) throws IOException;
    }

    /** One endpoint; {@code mutating} ones need the bearer token. */
    record Route(String method, String path, boolean mutating, Handler handler) {
    }

    /** Who the server is, for the page: the namespace, family and file it was started with. */
    record ServerInfo(String netns, String family, String file) {
    }

    private final RampartService service;
    private final EventHub hub;
    private final ConfirmationWatch confirmations;
    private final Metrics metrics;
    private final List<Route> all;

    Routes(RampartService service, EventHub hub, ConfirmationWatch confirmations, Metrics metrics) {
        this.service = service;
        this.hub = hub;
        this.confirmations = confirmations;
        this.metrics = metrics;
        this.all = List.of(
                new Route("GET", "/", false, resource("index.html", "text/html; charset=utf-8")),
                new Route("GET", "/app.js", false, resource("app.js", "text/javascript; charset=utf-8")),
                new Route("GET", "/app.css", false, resource("app.css", "text/css; charset=utf-8")),
                new Route("GET", "/openapi.json", false, resource("openapi.json", "application/json")),
                new Route("GET", "/api/info", false, json(r -> new ServerInfo(service.netns().orElse(null),
                        service.family().name().toLowerCase(java.util.Locale.ROOT),
                        service.file().map(Object::toString).orElse(null)))),
                new Route("GET", "/api/ruleset", false, json(r -> service.live(r.query().get("family")))),
                new Route("GET", "/api/chains", false, json(r -> service.outline(r.query().get("family")))),
                new Route("GET", "/api/chain", false, json(r -> service.chain(r.query().get("family"),
                        r.query().get("table"), r.query().get("chain")))),
                new Route("GET", "/api/search", false, json(r -> service.search(r.query().get("family"),
                        r.query().get("q"), r.query().get("limit")))),
                new Route("GET", "/api/extensions", false, json(r -> service.extensions(r.query().get("name")))),
                new Route("POST", "/api/canon", false, json(r -> service.canon(r.body(CanonRequest.class)))),
                new Route("POST", "/api/check", false, json(r -> service.check(r.body(RulesetRequest.class)))),
                new Route("POST", "/api/plan", false, json(r -> service.plan(r.body(RulesetRequest.class)))),
                new Route("POST", "/api/apply", true, json(this::apply)),
                new Route("POST", "/api/confirm", true, json(r -> service.confirm(r.query().get("family")))),
                new Route("POST", "/api/rollback", true, json(r -> service.rollback(r.query().get("family")))),
                new Route("GET", "/api/status", false, json(r -> service.status())),
                new Route("POST", "/api/trace", false, json(r -> service.trace(r.body(TraceRequest.class)))),
                new Route("GET", "/api/events", false, this::events),
                new Route("GET", "/metrics", false, (exchange, request) -> ApiServer.send(exchange, 200,
                        PrometheusText.CONTENT_TYPE, metrics.scrape().getBytes(StandardCharsets.UTF_8))));
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

    private static Handler json(Call call) {
        return (exchange, request) -> ApiServer.send(exchange, 200, "application/json",
                ApiServer.JSON.writeValueAsBytes(call.run(request)));
    }

    private static Handler resource(String name, String type) {
        return (exchange, request) -> {
            try (InputStream in = Routes.class.getResourceAsStream(WEB + name)) {
                if (in == null) {
                    throw new IllegalStateException(name + " is missing from the build");
                }
                // The page uses nothing from elsewhere; the policy keeps it so.
                exchange.getResponseHeaders().set("Content-Security-Policy",
                        "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'");
                ApiServer.send(exchange, 200, type, in.readAllBytes());
            }
        };
    }

    /** Server-sent events: one {@code event: KIND} and {@code data: JSON} per event, until the client leaves. */
    private void events(HttpExchange exchange, Request request) throws IOException {
        hub.open(exchange);
    }
}
