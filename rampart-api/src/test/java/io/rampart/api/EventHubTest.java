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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The event streams over real sockets: a client that stops reading is cut off, the others go on. */
@Timeout(60)
class EventHubTest {

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
        socket.setSoTimeout(20_000);
        socket.connect(server.getAddress());
        socket.getOutputStream().write("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertThat(readUntil(socket.getInputStream(), ": subscribed\n\n")).isTrue();
        return socket;
    }

    /** Reads until {@code wanted} has arrived (true) or the stream ended (false). */
    private static boolean readUntil(InputStream in, String wanted) throws IOException {
        StringBuilder seen = new StringBuilder();
        for (int c = in.read(); c != -1; c = in.read()) {
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

    /** Reads what the socket still holds: true when the stream then ends, false when it stays open. */
    private static boolean endsAfterWhatItHolds(Socket socket) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        try {
            while (socket.getInputStream().read(buffer) != -1) {
                // what was sent before the stream was closed
            }
            return true;
        } catch (SocketTimeoutException open) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    @Test
    void aClientThatStopsReadingHasItsStreamClosedAndTheOthersGoOn() throws IOException {
        try (Socket stalled = subscribe(); Socket reading = subscribe()) {
            InputStream readingIn = new BufferedInputStream(reading.getInputStream(), 64 * 1024);
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
