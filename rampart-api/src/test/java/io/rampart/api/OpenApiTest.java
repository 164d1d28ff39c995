package io.rampart.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.system.ProcessRunner;
import io.rampart.system.agent.SyncStats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document describes exactly the routes the server registers: their paths and methods,
 * the token, the query parameters each reads, the body it takes and the properties of what it answers.
 */
class OpenApiTest {

    private static JsonNode document() throws IOException {
        try (InputStream in = OpenApiTest.class.getResourceAsStream("/io/rampart/api/web/openapi.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** The host's service: making it starts no process, and the routes only hold it. */
    private static Routes routes() {
        RampartService service = new RampartService(null, Family.IPV4, null, ProcessRunner.system(),
                NameDatabase.system());
        EventHub hub = new EventHub();
        return new Routes(service, hub, new ConfirmationWatch(service, hub),
                new Metrics(service, ServerOptions.DEFAULT_METRICS_RULES, Path.of(SyncStats.ROOT)));
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
    void eachRouteReadsExactlyTheQueryParametersItsOperationDocuments() throws IOException {
        JsonNode paths = document().get("paths");
        for (Routes.Route route : routes().all()) {
            List<String> documented = new ArrayList<>();
            operation(paths, route).path("parameters").forEach(p -> documented.add(p.get("in").asText() + " "
                    + p.get("name").asText()));
            assertThat(documented).as(route.method() + " " + route.path())
                    .containsExactlyInAnyOrderElementsOf(route.query().stream().map(name -> "query " + name).toList());
        }
    }

    @Test
    void eachRouteTakesTheBodyItsOperationDocuments() throws IOException {
        JsonNode document = document();
        for (Routes.Route route : routes().all()) {
            JsonNode body = operation(document.get("paths"), route).path("requestBody");
            String what = route.method() + " " + route.path();
            if (route.body() == null) {
                assertThat(body.isMissingNode()).as(what + " documents no body").isTrue();
                continue;
            }
            JsonNode schema = resolved(document, body.at("/content/application~1json/schema"));
            assertThat(propertyNames(schema)).as(what + "'s body")
                    .containsExactlyInAnyOrderElementsOf(jsonProperties(route.body(), false));
        }
    }

    @Test
    void eachJsonAnswerHasThePropertiesItsSchemaDocuments() throws IOException {
        JsonNode document = document();
        SoftAssertions softly = new SoftAssertions();
        for (Routes.Route route : routes().all()) {
            String what = route.method() + " " + route.path();
            JsonNode content = operation(document.get("paths"), route).at("/responses/200/content");
            if (route.answer() == null) {
                assertThat(content.has("application/json") && !route.path().endsWith(".json"))
                        .as(what + " answers no JSON of its own").isFalse();
                continue;
            }
            JsonNode schema = content.at("/application~1json/schema");
            assertThat(schema.isMissingNode()).as(what + " documents its JSON answer").isFalse();
            checkWritten(document, schema, ApiServer.JSON.constructType(route.answer()), what + "'s answer",
                    new HashSet<>(), softly);
        }
        softly.assertAll();
    }

    /**
     * The properties {@code type} is written with are those {@code schema} documents, and so on down
     * through each property whose schema is a reference, as far as the types are beans or records.
     */
    private static void checkWritten(JsonNode document, JsonNode schema, JavaType type, String what,
                                     Set<String> checked, SoftAssertions softly) {
        if (schema.has("items") && type.isContainerType()) {
            checkWritten(document, schema.get("items"), type.getContentType(), what + "[]", checked, softly);
            return;
        }
        String ref = schema.path("$ref").asText(null);
        if (ref != null && !checked.add(ref + " " + type)) {
            return;
        }
        JsonNode object = resolved(document, schema);
        BeanDescription bean = ApiServer.JSON.getSerializationConfig().introspect(type);
        if (!object.has("properties") || type.hasRawClass(Object.class) || bean.findJsonValueAccessor() != null) {
            return; // an array, a value the type writes as one, or what only the schema says
        }
        List<BeanPropertyDefinition> properties = bean.findProperties();
        softly.assertThat(propertyNames(object)).as(what)
                .containsExactlyInAnyOrderElementsOf(properties.stream().map(BeanPropertyDefinition::getName).toList());
        for (BeanPropertyDefinition property : properties) {
            JsonNode documented = object.get("properties").get(property.getName());
            if (documented != null && property.getAccessor() != null && !property.getPrimaryType().isPrimitive()
                    && !property.getPrimaryType().isTypeOrSubTypeOf(String.class)
                    && !property.getPrimaryType().isEnumType()) {
                checkWritten(document, documented, property.getPrimaryType(), what + "." + property.getName(),
                        checked, softly);
            }
        }
    }

    private static JsonNode operation(JsonNode paths, Routes.Route route) {
        return paths.path(route.path()).path(route.method().toLowerCase(Locale.ROOT));
    }

    private static JsonNode resolved(JsonNode document, JsonNode schema) {
        return schema.has("$ref") ? document.at(schema.get("$ref").asText().substring(1)) : schema;
    }

    private static List<String> propertyNames(JsonNode schema) {
        List<String> names = new ArrayList<>();
        schema.path("properties").fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The properties the server's JSON mapper writes for {@code type} (or, not {@code written}, reads). */
    private static List<String> jsonProperties(Class<?> type, boolean written) {
        ObjectMapper mapper = ApiServer.JSON;
        JavaType javaType = mapper.constructType(type);
        BeanDescription bean = written ? mapper.getSerializationConfig().introspect(javaType)
                : mapper.getDeserializationConfig().introspect(javaType);
        return bean.findProperties().stream().map(BeanPropertyDefinition::getName).toList();
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
