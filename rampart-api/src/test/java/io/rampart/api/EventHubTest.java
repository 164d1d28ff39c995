package io.rampart.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The event streams over real sockets: a client that stops reading is cut off, the others go on. */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EventHubTest {

    /**
     * How long one wait for the stream may take. Keep-alives arrive more often than a socket read
     * times out, so only this deadline, checked between reads, bounds a wait for what never comes.
     */
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Large events fill a stalled client's socket buffers and then its queue after a few thousand. */
    private static final String LARGE = "x".repeat(16 * 1024);
    private static final int MAX_EVENTS = 100_000;

    private final EventHub hub = new EventHub();
    private final ExecutorService threads = Executors.newFixedThreadPool(2);
    private HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", hub::open);
        server.setExecutor(threads);
        server.start();
    }

    @AfterEach
    void stop() {
        hub.close();
        server.stop(0);
        threads.shutdownNow();
    }

    /** A client of the stream, with a small receive buffer, once the server confirmed it. */
    private Socket subscribe() throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.setSoTimeout(5_000);
        socket.connect(server.getAddress());
        socket.getOutputStream().write("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertThat(readUntil(socket.getInputStream(), ": subscribed\n\n")).isTrue();
        return socket;
    }

    /** Reads until {@code wanted} has arrived (true) or the stream ended (false). */
    private static boolean readUntil(InputStream in, String wanted) throws IOException {
        Instant deadline = Instant.now().plus(WAIT);
        StringBuilder seen = new StringBuilder();
        for (int c = read(in, deadline, wanted); c != -1; c = read(in, deadline, wanted)) {
            seen.append((char) c);
            if (seen.length() >= wanted.length() && seen.indexOf(wanted, seen.length() - wanted.length()) >= 0) {
                return true;
            }
            if (seen.length() > 4096) {
                seen.delete(0, seen.length() - wanted.length());
            }
        }
        return false;
    }

    /** One byte, waiting through read timeouts until {@code deadline}, which fails the test. */
    private static int read(InputStream in, Instant deadline, String wanted) throws IOException {
        while (true) {
            try {
                return in.read();
            } catch (SocketTimeoutException quiet) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("not within " + WAIT + ": " + wanted.strip());
                }
            }
        }
    }

    /**
     * Reads what the socket still holds: true when the stream then ends, false when it is still open
     * (a read times out or keep-alives still come) at the deadline.
     */
    private static boolean endsAfterWhatItHolds(Socket socket) throws IOException {
        Instant deadline = Instant.now().plus(WAIT);
        byte[] buffer = new byte[64 * 1024];
        while (Instant.now().isBefore(deadline)) {
            try {
                if (socket.getInputStream().read(buffer) == -1) {
                    return true;
                }
            } catch (SocketTimeoutException quiet) {
                // still open; look again until the deadline
            } catch (SocketException reset) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aClientThatStopsReadingHasItsStreamClosedAndTheOthersGoOn() throws IOException {
        try (Socket stalled = subscribe(); Socket reading = subscribe()) {
            InputStream readingIn = new BufferedInputStream(reading.getInputStream(), 64 * 1024);
            assertThat(hub.clients()).as("both clients are listed once told they are subscribed").isEqualTo(2);
            int published = 0;
            while (hub.clients() == 2 && published < MAX_EVENTS) {
                hub.publish(ServerEvent.now("changed", null, LARGE));
                published++;
                assertThat(readUntil(readingIn, "event: changed\n")).isTrue();
            }
            assertThat(hub.clients()).as("the stalled client is dropped after " + published + " events").isEqualTo(1);

            // What the stalled client's buffers hold can still be read; then its stream ends.
            assertThat(endsAfterWhatItHolds(stalled)).as("the stalled client's stream ends").isTrue();

            hub.publish(ServerEvent.now("drift", null, "after"));
            assertThat(readUntil(readingIn, "event: drift\n")).as("the reading client still hears events").isTrue();
        }
    }
}
