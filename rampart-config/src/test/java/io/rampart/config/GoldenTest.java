package io.rampart.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each golden case reads as its expected findings and expansion say. */
class GoldenTest {

    static List<Path> cases() {
        return Golden.cases();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void readsAsExpected(Path dir) throws IOException {
        String actual = Golden.describe(dir.resolve("main.rules"), Family.IPV4, Optional.empty());
        Path expected = dir.resolve("expected.txt");
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(expected, actual);
        }
        assertThat(actual).isEqualTo(Files.readString(expected));
    }
}
