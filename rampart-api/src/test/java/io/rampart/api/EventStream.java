package io.rampart.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The server's event stream as a test reads it: its {@code event: NAME} lines, in order. */
final class EventStream {

    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private EventStream() {
    }

    /** Subscribes to {@code /api/events} of the server at {@code url} and waits until the server confirms. */
    static EventStream subscribe(String url) throws InterruptedException {
        EventStream stream = new EventStream();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "api/events")).GET().build();
        HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                .thenAccept(response -> {
                    try (Stream<String> body = response.body()) {
                        body.filter(l -> l.startsWith("event: ") || l.startsWith(": subscribed"))
                                .forEach(stream.lines::add);
                    }
                });
        assertThat(stream.lines.poll(20, TimeUnit.SECONDS)).isEqualTo(": subscribed");
        return stream;
    }

    /** Whether the line {@code wanted} arrives; other events before it are passed over. */
    boolean next(String wanted) throws InterruptedException {
        String line = lines.poll(20, TimeUnit.SECONDS);
        while (line != null && !line.equals(wanted)) {
            line = lines.poll(20, TimeUnit.SECONDS);
        }
        return line != null;
    }
}
