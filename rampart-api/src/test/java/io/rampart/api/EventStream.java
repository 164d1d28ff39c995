package io.rampart.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The server's event stream as a test reads it: each event's {@code event: NAME} line and the time
 * the server published it, in order. Only events published since the last {@link #mark()} count,
 * so an event an earlier test caused, however late it arrives, cannot satisfy a later one.
 */
final class EventStream {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SUBSCRIBED = ": subscribed";

    private record Event(String line, Instant published) {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile Instant since = Instant.MIN;

    private EventStream() {
    }

    /** Subscribes to {@code /api/events} of the server at {@code url}, waits until the server confirms, and marks. */
    static EventStream subscribe(String url) throws InterruptedException {
        EventStream stream = new EventStream();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "api/events")).GET().build();
        HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                .thenAccept(response -> {
                    try (Stream<String> body = response.body()) {
                        String[] name = new String[1];
                        body.forEach(line -> {
                            if (line.startsWith(SUBSCRIBED)) {
                                stream.events.add(new Event(SUBSCRIBED, Instant.now()));
                            } else if (line.startsWith("event: ")) {
                                name[0] = line;
                            } else if (line.startsWith("data: ") && name[0] != null) {
                                stream.events.add(new Event(name[0], published(line.substring(6))));
                                name[0] = null;
                            }
                        });
                    }
                });
        Event first = stream.events.poll(20, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        assertThat(first.line()).isEqualTo(SUBSCRIBED);
        stream.mark();
        return stream;
    }

    private static Instant published(String data) {
        try {
            return Instant.parse(JSON.readTree(data).get("time").asText());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** From now on only events the server publishes after this moment count. */
    void mark() {
        since = Instant.now();
    }

    /** Whether the line {@code wanted} arrives, published since the mark; other events before it are passed over. */
    boolean next(String wanted) throws InterruptedException {
        Event event = events.poll(20, TimeUnit.SECONDS);
        while (event != null && !(event.line().equals(wanted) && !event.published().isBefore(since))) {
            event = events.poll(20, TimeUnit.SECONDS);
        }
        return event != null;
    }
}
