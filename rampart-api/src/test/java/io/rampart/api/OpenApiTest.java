package io.rampart.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.model.Family;
import io.rampart.system.ProcessRunner;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The OpenAPI document describes exactly the routes the server registers. */
class OpenApiTest {

    private static JsonNode document() throws IOException {
        try (InputStream in = OpenApiTest.class.getResourceAsStream("/io/rampart/api/web/openapi.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** The host's service: making it starts no process, and the routes only hold it. */
    private static Routes routes() {
        RampartService service = new RampartService(null, Family.IPV4, null, ProcessRunner.system());
        EventHub hub = new EventHub();
        return new Routes(service, hub, new ConfirmationWatch(service, hub));
    }

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws IOException {
        List<String> documented = new ArrayList<>();
        document().get("paths").fields().forEachRemaining(path -> path.getValue().fieldNames()
                .forEachRemaining(method -> documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey())));
        List<String> registered = routes().all().stream().map(r -> r.method() + " " + r.path()).toList();
        assertThat(documented).containsExactlyInAnyOrderElementsOf(registered);
    }

    @Test
    void exactlyTheRoutesThatChangeTheKernelAskForTheToken() throws IOException {
        JsonNode paths = document().get("paths");
        for (Routes.Route route : routes().all()) {
            JsonNode operation = paths.get(route.path()).get(route.method().toLowerCase(Locale.ROOT));
            assertThat(operation.has("security")).as(route.method() + " " + route.path()).isEqualTo(route.mutating());
        }
        assertThat(routes().all().stream().filter(Routes.Route::mutating).map(Routes.Route::path))
                .containsExactly("/api/apply", "/api/confirm", "/api/rollback");
    }

    @Test
    void everySchemaReferenceResolves() throws IOException {
        JsonNode document = document();
        List<String> refs = document.findValuesAsText("$ref");
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(document.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
        }
    }
}
