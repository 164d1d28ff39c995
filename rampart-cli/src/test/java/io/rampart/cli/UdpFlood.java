package io.rampart.cli;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends numbered UDP datagrams to ADDRESS PORT until it is stopped, a little apart so that no queue
 * on the way overflows: the traffic a test keeps flowing through a namespace while it switches rulesets.
 * Run in a namespace of its own with {@code ip netns exec}.
 */
public final class UdpFlood {

    private UdpFlood() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        ByteBuffer payload = ByteBuffer.allocate(64);
        try (DatagramChannel channel = DatagramChannel.open()) {
            for (long sequence = 0; ; sequence++) {
                payload.clear();
                payload.putLong(sequence).position(payload.capacity()).flip();
                channel.send(payload, target);
                LockSupport.parkNanos(50_000);
            }
        }
    }
}
