package io.rampart.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Real traffic for the load balancer's kernel tests, run inside a namespace with
 * {@code ip netns exec NS java -cp TEST-CLASSES io.rampart.cli.LbTraffic ...}:
 * <ul>
 * <li>{@code serve HOST:PORT...}: a TCP and a UDP server on each endpoint, each answering with the
 * endpoint it was reached at; prints {@code ready} once all are bound and ends when stdin closes.</li>
 * <li>{@code send tcp|udp HOST PORT COUNT}: COUNT new connections (TCP) or datagrams from new sockets
 * (UDP), each a new conntrack entry; prints how many answers came from each endpoint, and
 * {@code lost N} for those that got none.</li>
 * </ul>
 */
public final class LbTraffic {

    /** Long enough for a reply on a veth to always arrive; only an unanswered datagram waits for it. */
    private static final int REPLY_WAIT_MS = 3000;

    private LbTraffic() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("serve")) {
            serve(List.of(args).subList(1, args.length));
        } else {
            send(args[1], InetAddress.getByName(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
        }
    }

    private static void serve(List<String> endpoints) throws IOException {
        List<Thread> threads = new ArrayList<>();
        for (String endpoint : endpoints) {
            int colon = endpoint.lastIndexOf(':');
            InetSocketAddress address = new InetSocketAddress(
                    InetAddress.getByName(endpoint.substring(0, colon).replace("[", "").replace("]", "")),
                    Integer.parseInt(endpoint.substring(colon + 1)));
            ServerSocket tcp = new ServerSocket();
            tcp.setReuseAddress(true);
            tcp.bind(address, 512);
            DatagramSocket udp = new DatagramSocket(address);
            threads.add(daemon(() -> answerTcp(tcp, endpoint)));
            threads.add(daemon(() -> answerUdp(udp, endpoint)));
        }
        threads.forEach(Thread::start);
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // runs until the test closes stdin
        }
    }

    private static Thread daemon(Runnable body) {
        Thread thread = new Thread(body);
        thread.setDaemon(true);
        return thread;
    }

    private static void answerTcp(ServerSocket server, String endpoint) {
        byte[] answer = (endpoint + "\n").getBytes(StandardCharsets.UTF_8);
        while (true) {
            try (Socket socket = server.accept(); OutputStream out = socket.getOutputStream()) {
                out.write(answer);
                // The client closes first, so the TIME_WAIT is its own: a client port that came round
                // again never meets a server socket still waiting out the previous connection, which
                // would make the client resend its SYN and the nat table see a first packet twice.
                socket.setSoTimeout(REPLY_WAIT_MS);
                while (socket.getInputStream().read() >= 0) {
                    // until the client's FIN
                }
            } catch (IOException e) {
                // a client that went away; keep serving
            }
        }
    }

    private static void answerUdp(DatagramSocket socket, String endpoint) {
        byte[] answer = endpoint.getBytes(StandardCharsets.UTF_8);
        byte[] buffer = new byte[64];
        while (true) {
            try {
                DatagramPacket request = new DatagramPacket(buffer, buffer.length);
                socket.receive(request);
                socket.send(new DatagramPacket(answer, answer.length, request.getSocketAddress()));
            } catch (IOException e) {
                // keep serving
            }
        }
    }

    private static void send(String protocol, InetAddress host, int port, int count) throws IOException {
        Map<String, Integer> answers = new TreeMap<>();
        int lost = 0;
        for (int i = 0; i < count; i++) {
            String answer = protocol.equals("tcp") ? viaTcp(host, port) : viaUdp(host, port);
            if (answer == null) {
                lost++;
            } else {
                answers.merge(answer, 1, Integer::sum);
            }
        }
        answers.forEach((endpoint, n) -> System.out.println(endpoint + " " + n));
        System.out.println("lost " + lost);
    }

    private static String viaTcp(InetAddress host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), REPLY_WAIT_MS);
            socket.setSoTimeout(REPLY_WAIT_MS);
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
        } catch (IOException e) {
            return null;
        }
    }

    private static String viaUdp(InetAddress host, int port) {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(REPLY_WAIT_MS);
            socket.connect(host, port);
            socket.send(new DatagramPacket(new byte[] {'?'}, 1));
            byte[] buffer = new byte[64];
            DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
            socket.receive(reply);
            return new String(buffer, 0, reply.getLength(), StandardCharsets.UTF_8);
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }
}
