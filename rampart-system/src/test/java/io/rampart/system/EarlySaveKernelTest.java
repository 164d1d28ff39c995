package io.rampart.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A dump started before it is asked for ({@link EarlySave}) against the kernel: it is what
 * iptables-save prints, it is handed out once and only for its family, and a writer's holds the
 * writers' lock from before the dump until it is closed, or does not start when another writer holds it.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EarlySaveKernelTest {

    private static final String RULES = """
            *filter
            :APP - [0:0]
            -A INPUT -j APP
            -A APP -s 192.0.2.1/32 -j ACCEPT
            COMMIT
            """;

    private static Netns netns;

    @BeforeAll
    static void start() {
        KernelTestSupport.requireKernel();
        netns = Netns.throwaway("applyspeed-early", ProcessRunner.system());
        assertThat(new Iptables(netns, Family.IPV4).restore(RULES, false).ok()).isTrue();
    }

    @AfterAll
    static void stop() {
        if (netns != null) {
            netns.close();
        }
    }

    @Test
    void theDumpIsWhatIptablesSavePrintsHandedOutOnceForItsFamily() {
        try (EarlySave early = EarlySave.reading(netns, Family.IPV4)) {
            assertThat(early.take(Family.IPV6)).isEmpty();
            String dump = early.take(Family.IPV4).orElseThrow();
            assertThat(Iptables.stripComments(dump)).isEqualTo(new Iptables(netns, Family.IPV4).save());
            assertThat(dump).contains("-A APP -s 192.0.2.1/32 -j ACCEPT");
            assertThat(early.take(Family.IPV4)).isEmpty();
        }
    }

    @Test
    void systemXtablesReadsTheEarlyDumpFirstAndTheKernelAfterwards() {
        CountingRunner processes = new CountingRunner(ProcessRunner.system());
        Netns counted = Netns.existing(netns.name().orElseThrow(), processes);
        try (EarlySave early = EarlySave.reading(counted, Family.IPV4)) {
            SystemXtables xtables = new SystemXtables(counted, WriterLock.Waiting.standard(), Optional.of(early));
            String first = xtables.save(Family.IPV4);
            assertThat(processes.started()).isEqualTo(1);
            assertThat(xtables.save(Family.IPV4)).isEqualTo(first);
            assertThat(processes.started()).isEqualTo(2);
        }
    }

    @Test
    void aWritersDumpHoldsOtherWritersOffUntilItIsClosed() throws Exception {
        EarlySave early = EarlySave.writing(netns, Family.IPV4).orElseThrow();
        try {
            assertThat(early.take(Family.IPV4)).isPresent();
            assertThat(otherThreadCanHold()).isFalse();
            // The thread that holds it may hold it again, as the apply does around its write.
            try (LockFile.Held again = WriterLock.hold(netns, Family.IPV4, WriterLock.Waiting.standard())) {
                assertThat(again).isNotNull();
            }
            assertThat(otherThreadCanHold()).isFalse();
        } finally {
            early.close();
        }
        assertThat(otherThreadCanHold()).isTrue();
    }

    @Test
    void noWritersDumpWhileAnotherWriterHoldsTheLock() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        CompletableFuture<Void> holding = new CompletableFuture<>();
        Thread other = new Thread(() -> {
            try (LockFile.Held held = WriterLock.hold(netns, Family.IPV4, WriterLock.Waiting.standard())) {
                holding.complete(null);
                release.join();
            }
        });
        other.start();
        holding.get(30, TimeUnit.SECONDS);
        try {
            assertThat(EarlySave.writing(netns, Family.IPV4)).isEmpty();
        } finally {
            release.complete(null);
            other.join();
        }
        EarlySave.writing(netns, Family.IPV4).orElseThrow().close();
    }

    /** Whether a writer on another thread gets the lock at once (and lets it go again). */
    private static boolean otherThreadCanHold() throws Exception {
        return CompletableFuture.supplyAsync(() -> WriterLock.tryHold(netns, Family.IPV4).map(held -> {
            held.close();
            return true;
        }).orElse(false)).get(30, TimeUnit.SECONDS);
    }
}
