package io.rampart.system.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's record, as `rampart serve` reads it back from its file. */
class SyncStatsTest {

    @TempDir
    Path dir;

    @Test
    void whatTheAgentRecordedReadsBackAndGoesWhenItStops() {
        Path file = SyncStats.fileOf(dir, "web1", Family.IPV6);
        assertThat(file.getFileName().toString()).isEqualTo("netns-web1.ipv6.properties");
        SyncStats stats = SyncStats.writingTo(file);
        Instant at = Instant.parse("2026-12-01T10:00:00.250Z");
        stats.applied(Duration.ofMillis(120), at);
        stats.repaired(Duration.ofMillis(30), at.plusSeconds(5));
        stats.inSync(at.plusSeconds(9));

        SyncStats read = SyncStats.read(file).orElseThrow();
        assertThat(read.applies()).isEqualTo(1);
        assertThat(read.repairs()).isEqualTo(1);
        assertThat(read.lastSync()).contains(at.plusSeconds(9));
        assertThat(read.applyDurations().count()).isEqualTo(1);
        assertThat(read.applyDurations().cumulative(4)).as("0.1 s").isZero();
        assertThat(read.applyDurations().cumulative(5)).as("0.25 s").isEqualTo(1);
        assertThat(read.repairDurations().sumSeconds()).isEqualTo(0.03);

        stats.remove();
        assertThat(SyncStats.read(file)).isEmpty();
    }

    @Test
    void aFileOfAnotherFormReadsAsNothingRecorded() throws IOException {
        Path file = Files.writeString(dir.resolve("host.ipv4.properties"), "applies=x\napply-seconds=1,2;3\n");
        SyncStats read = SyncStats.read(file).orElseThrow();
        assertThat(read.applies()).isZero();
        assertThat(read.applyDurations().count()).isZero();
        assertThat(read.lastSync()).isEmpty();
    }
}
