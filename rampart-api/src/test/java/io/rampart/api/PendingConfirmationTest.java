package io.rampart.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The confirmation's lock between two threads of one process, as two requests to one server take it,
 * and what a confirmation records about itself.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class PendingConfirmationTest {

    @TempDir
    Path root;

    @Test
    void aSecondThreadWaitsForTheLockInsteadOfFailing() throws Exception {
        PendingConfirmation first = new PendingConfirmation(root, new PendingConfirmation.Target("web1", Family.IPV4));
        PendingConfirmation second = new PendingConfirmation(root, new PendingConfirmation.Target("web1", Family.IPV4));
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread holder = new Thread(() -> first.locked(() -> {
            holding.countDown();
            await(release);
            order.add("first done");
            return null;
        }));
        holder.start();
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        Thread waiter = new Thread(() -> {
            try {
                second.locked(() -> order.add("second"));
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        waiter.start();
        // The waiter must be blocked on the lock, not finished nor failed, while the first holds it.
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (waiter.getState() != Thread.State.WAITING && waiter.getState() != Thread.State.TIMED_WAITING
                && waiter.isAlive() && System.nanoTime() < giveUp) {
            Thread.onSpinWait();
        }
        assertThat(failure.get()).as("the second thread's failure").isNull();
        assertThat(order).isEmpty();
        release.countDown();
        holder.join(10_000);
        waiter.join(10_000);
        assertThat(failure.get()).as("the second thread's failure").isNull();
        assertThat(order).containsExactly("first done", "second");
    }

    @Test
    void aConfirmationLeftWithoutTimerSaysWhyItsRollbackFailedAsRecordedNotAsTheLogReads() throws Exception {
        PendingConfirmation pending = new PendingConfirmation(root, new PendingConfirmation.Target("web1", Family.IPV4));
        Files.writeString(pending.log(), "2026-01-01T00:00:00Z netns-web1.ipv4: rollback failed: what the log says\n");
        pending.reserve();
        pending.update(armed("first"));
        assertThat(pending.alreadyPending().getMessage())
                .contains("its rollback timer no longer runs, so nothing rolls it back by itself: run")
                .doesNotContain("what the log says");
        pending.recordRollbackFailure("the kernel refused the rollback of web.rules: no chain");
        assertThat(pending.alreadyPending().getMessage()).contains("rolls it back by itself (rollback failed: the"
                + " kernel refused the rollback of web.rules: no chain): run `rampart confirm --netns web1'");
        pending.remove();
        pending.reserve();
        pending.update(armed("second"));
        assertThat(pending.alreadyPending().getMessage()).doesNotContain("rollback failed");
    }

    private static PendingConfirmation.State armed(String id) {
        return new PendingConfirmation.State(id, Instant.now().plusSeconds(60), "web.rules", Duration.ofSeconds(60),
                null, ProcessHandle.current().pid());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
