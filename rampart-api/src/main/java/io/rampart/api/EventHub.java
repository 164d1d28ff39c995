package io.rampart.api;

import com.sun.net.httpserver.HttpExchange;
import io.rampart.model.Failure;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The event streams: every event goes to every client, each written to its client by a thread of
 * its own at the client's pace, so a stream never holds a request thread or the server's
 * dispatcher. A client that falls too far behind has its stream closed, so it knows to reconnect.
 */
final class EventHub implements AutoCloseable {

    /** Each client holds a thread: a few dozen watchers are plenty. */
    static final int MAX_SUBSCRIBERS = 64;
    /** A client this far behind is dropped rather than let memory grow. */
    private static final int MAX_QUEUED = 1_000;
    /** A client hears at least this often that the server is there, so dead ones are noticed. */
    private static final long KEEP_ALIVE_SECONDS = 15;

    /** Marks an exchange answered with a stream: its stream's thread closes it, not the request's. */
    private static final String STREAM = EventHub.class.getName() + ".stream";

    private final List<Stream> streams = new CopyOnWriteArrayList<>();
    private boolean closed;

    /** One client: the events waiting for it and the thread that writes them. */
    private final class Stream implements Runnable {
        private final BlockingQueue<ServerEvent> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
        private final HttpExchange exchange;
        private final Thread thread;

        Stream(HttpExchange exchange) {
            this.exchange = exchange;
            this.thread = new Thread(this, "event stream");
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            try (exchange) {
                OutputStream out = exchange.getResponseBody();
                while (!Thread.currentThread().isInterrupted()) {
                    ServerEvent event = queue.poll(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
                    write(out, event == null ? ": keep-alive\n\n" : "event: " + event.kind() + "\ndata: "
                            + ApiServer.JSON.writeValueAsString(event) + "\n\n");
                }
            } catch (IOException | InterruptedException e) {
                // the client left, fell behind or the server stops: the stream ends
            } finally {
                streams.remove(this);
            }
        }

        /** Ends the stream, also when its thread is blocked writing to a client that stopped reading. */
        void close() {
            streams.remove(this);
            thread.interrupt();
        }
    }

    /**
     * Answers {@code exchange} with an event stream that a thread of its own writes until the client
     * leaves; the calling thread returns at once and must not close the exchange.
     */
    synchronized void open(HttpExchange exchange) throws IOException {
        if (closed || streams.size() >= MAX_SUBSCRIBERS) {
            throw new Failure(Failure.Category.SYSTEM, closed ? "the server is stopping"
                    : "too many event-stream clients (" + MAX_SUBSCRIBERS + ")");
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, 0);
        Stream stream = new Stream(exchange);
        // Listed before the client hears it is subscribed, so every event published after that reaches it.
        streams.add(stream);
        try {
            write(exchange.getResponseBody(), ": subscribed\n\n");
        } catch (IOException gone) {
            streams.remove(stream);
            throw gone;
        }
        exchange.setAttribute(STREAM, stream);
        stream.thread.start();
    }

    /** Whether {@code exchange} was answered with a stream, which its own thread writes and closes. */
    static boolean isStream(HttpExchange exchange) {
        return exchange.getAttribute(STREAM) != null;
    }

    void publish(ServerEvent event) {
        for (Stream stream : streams) {
            if (!stream.queue.offer(event)) {
                stream.close();
            }
        }
    }

    /** How many clients are listening. */
    int clients() {
        return streams.size();
    }

    /** Ends every stream. */
    @Override
    public synchronized void close() {
        closed = true;
        streams.forEach(Stream::close);
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
