package io.rampart.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFileTest {

    @TempDir
    Path dir;

    /** As IPTLB's YAML library wrote it: keys sorted, lists not indented, no logEnabled yet. */
    private static final String WRITTEN_BY_IPTLB = """
            test:
              destination:
              - 10.0.1.4:8080
              - 10.0.1.5:8080
              logLevel: "4"
              protocol: tcp
              rulesBackend: client
              source: 10.100.0.10:8081
            """;

    @Test
    void readsIptlbsFileAndWritesItInTheSameLayout() throws Exception {
        Path file = dir.resolve("state.db");
        Files.writeString(file, WRITTEN_BY_IPTLB);
        Map<String, Profile> profiles = StateFile.read(file);
        Profile test = profiles.get("test");
        assertThat(test.source()).isEqualTo(Endpoint.parse("10.100.0.10:8081", "x"));
        assertThat(test.destinations()).extracting(Destination::toString)
                .containsExactly("10.0.1.4:8080", "10.0.1.5:8080");
        assertThat(test.mode()).isEqualTo(Mode.CLIENT);
        assertThat(test.logEnabled()).isFalse();
        assertThat(StateFile.render(profiles)).isEqualTo("""
                test:
                  destination:
                  - 10.0.1.4:8080
                  - 10.0.1.5:8080
                  logEnabled: false
                  logLevel: "4"
                  protocol: tcp
                  rulesBackend: client
                  source: 10.100.0.10:8081
                """);
    }

    @Test
    void roundTripsEveryFieldWeightsAndIpv6() throws Exception {
        Profile v6 = Profile.of("v6", Endpoint.parse("[2001:db8::10]:53", "s"),
                List.of(Destination.parse("[2001:db8::1]:53*3", "d"), Destination.parse("[2001:db8::2]:53", "d")),
                Protocol.UDP, Mode.PROXY, true, 6, false);
        Profile web = Profile.of("web", Endpoint.parse("10.0.0.1:80", "s"),
                List.of(Destination.parse("10.0.0.2:8080", "d")), Protocol.TCP, Mode.SERVER, false, 4, true);
        Path file = dir.resolve("sub/dir/state.db");
        StateFile.write(file, Map.of("web", web, "v6", v6));
        assertThat(StateFile.read(file)).containsExactlyInAnyOrderEntriesOf(Map.of("web", web, "v6", v6));
        assertThat(Files.readString(file)).startsWith("v6:\n  destination:\n  - \"[2001:db8::1]:53*3\"\n")
                .contains("  masquerade: false\n");
        try (var listing = Files.list(file.getParent())) {
            assertThat(listing).as("no temporary file is left").containsExactly(file);
        }
    }

    @Test
    void aMissingFileHoldsNoProfiles() throws Exception {
        assertThat(StateFile.read(dir.resolve("none.db"))).isEmpty();
    }

    @Test
    void errorsPointAtTheLineAndColumn() throws Exception {
        Path file = dir.resolve("state.db");
        Files.writeString(file, WRITTEN_BY_IPTLB.replace("10.0.1.5:8080", "10.0.1.256:8080"));
        assertThatThrownBy(() -> StateFile.read(file)).isInstanceOf(LbException.class)
                .hasMessage(file + ":4:5: error: destination: bad address `10.0.1.256:8080': octet 256 is out of"
                        + " range 0-255");
        Files.writeString(file, WRITTEN_BY_IPTLB.replace("rulesBackend: client", "rulesBackend: clinet"));
        assertThatThrownBy(() -> StateFile.read(file)).hasMessageStartingWith(file + ":7:17: error: rulesBackend:"
                + " unknown rules backend `clinet'");
        Files.writeString(file, WRITTEN_BY_IPTLB.replace("protocol:", "protcol:"));
        assertThatThrownBy(() -> StateFile.read(file)).hasMessageStartingWith(file + ":6:3: error: unknown key"
                + " `protcol'");
        Files.writeString(file, WRITTEN_BY_IPTLB + WRITTEN_BY_IPTLB.replace("test:", "copy:"));
        assertThatThrownBy(() -> StateFile.read(file)).hasMessage(file + ": error: profiles `test' and `copy' both"
                + " capture 10.100.0.10:8081 (tcp); keep one");
        Files.writeString(file, "test: [unclosed\n");
        assertThatThrownBy(() -> StateFile.read(file)).hasMessageStartingWith(file + ":")
                .hasMessageContaining("error: ");
    }
}
