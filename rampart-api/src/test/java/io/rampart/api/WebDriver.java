package io.rampart.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Chromium, headless, driven through chromedriver with the W3C WebDriver protocol over plain HTTP:
 * only what the page test needs.
 */
final class WebDriver implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** The key under which WebDriver returns an element reference. */
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process driver;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private String session;

    private WebDriver(Process driver, int port) {
        this.driver = driver;
        this.base = "http://127.0.0.1:" + port;
    }

    /** Starts chromedriver and one browser session with a fresh profile in {@code profile}. */
    static WebDriver start(Path profile, int width, int height) throws IOException, InterruptedException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process process = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port)
                .redirectErrorStream(true).redirectOutput(profile.resolveSibling("chromedriver.log").toFile()).start();
        WebDriver web = new WebDriver(process, port);
        try {
            web.waitUntil("chromedriver to answer", () -> web.ready());
            List<String> args = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
                    "--window-size=" + width + "," + height);
            Map<String, Object> chrome = Map.of("binary", CHROMIUM.toString(), "args", args);
            JsonNode created = web.call("POST", "/session", Map.of("capabilities", Map.of("alwaysMatch",
                    Map.of("browserName", "chrome", "goog:chromeOptions", chrome))));
            web.session = "/session/" + created.get("sessionId").asText();
        } catch (IOException | RuntimeException e) {
            web.close();
            throw e;
        }
        return web;
    }

    private boolean ready() {
        try {
            return call("GET", "/status", null).get("ready").asBoolean();
        } catch (IOException e) {
            return false;
        }
    }

    void open(String url) throws IOException {
        call("POST", session + "/url", Map.of("url", url));
    }

    /** The element the CSS selector finds; WebDriver fails when there is none. */
    String find(String css) throws IOException {
        return call("POST", session + "/element", Map.of("using", "css selector", "value", css)).get(ELEMENT).asText();
    }

    void type(String css, String text) throws IOException {
        call("POST", session + "/element/" + find(css) + "/value", Map.of("text", text));
    }

    void click(String css) throws IOException {
        call("POST", session + "/element/" + find(css) + "/click", Map.of());
    }

    /** Runs {@code script} (a function body) in the page and returns what it returns. */
    JsonNode script(String script) throws IOException {
        return call("POST", session + "/execute/sync", Map.of("script", script, "args", List.of()));
    }

    /** Waits until {@code condition} (a script expression) is true in the page. */
    void waitFor(String condition) throws InterruptedException {
        waitUntil(condition, () -> {
            try {
                return script("return Boolean(" + condition + ");").asBoolean();
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Resizes the window, as a phone's screen or a desktop's. */
    void resize(int width, int height) throws IOException {
        call("POST", session + "/window/rect", Map.of("width", width, "height", height));
    }

    void screenshot(Path png) throws IOException {
        Files.createDirectories(png.getParent());
        Files.write(png, Base64.getDecoder().decode(call("GET", session + "/screenshot", null).asText()));
    }

    /** Checks {@code condition} until it holds; a page that never gets there fails after a generous bound. */
    private void waitUntil(String what, BooleanSupplier condition) throws InterruptedException {
        for (int tries = 0; tries < 300; tries++) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("waited 30 s for " + what + "; the page said: " + pageText());
    }

    /** What the page shows, for a failure message; what went wrong reading it when it cannot be read. */
    private String pageText() {
        try {
            String text = script("return document.body.innerText;").asText();
            return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private JsonNode call(String method, String path, Object body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode value = JSON.readTree(response.body()).get("value");
            if (response.statusCode() != 200) {
                throw new IOException(method + " " + path + ": " + value);
            }
            return value;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() {
        if (session != null) {
            try {
                call("DELETE", session, null);
            } catch (IOException e) {
                // the browser is gone already; chromedriver is stopped below either way
            }
        }
        driver.destroy();
        try {
            if (!driver.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
        } catch (InterruptedException e) {
            driver.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
