package io.rampart.api;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/** Hands every event to every event-stream client; each reads its own queue at its own pace. */
final class EventHub {

    /** Each client holds a thread of the server: a few dozen watchers are plenty. */
    static final int MAX_SUBSCRIBERS = 32;
    /** A client this far behind is dropped rather than let memory grow. */
    private static final int MAX_QUEUED = 1_000;

    private final List<BlockingQueue<ServerEvent>> subscribers = new CopyOnWriteArrayList<>();

    /** A new client's queue, or empty when there are too many clients. */
    synchronized Optional<BlockingQueue<ServerEvent>> subscribe() {
        if (subscribers.size() >= MAX_SUBSCRIBERS) {
            return Optional.empty();
        }
        BlockingQueue<ServerEvent> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
        subscribers.add(queue);
        return Optional.of(queue);
    }

    void unsubscribe(BlockingQueue<ServerEvent> queue) {
        subscribers.remove(queue);
    }

    void publish(ServerEvent event) {
        for (BlockingQueue<ServerEvent> queue : subscribers) {
            if (!queue.offer(event)) {
                subscribers.remove(queue);
            }
        }
    }
}
