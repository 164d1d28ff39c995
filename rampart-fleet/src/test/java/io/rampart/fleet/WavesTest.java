package io.rampart.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Failure;
import java.util.List;
import org.junit.jupiter.api.Test;

class WavesTest {

    private static final List<String> SIX = List.of("h1", "h2", "h3", "h4", "h5", "h6");

    @Test
    void sharesRoundUpAndWavesThatAddNoHostAreLeftOut() {
        assertThat(Waves.parse(Waves.DEFAULT).split(SIX))
                .containsExactly(List.of("h1"), List.of("h2", "h3"), List.of("h4", "h5", "h6"));
        assertThat(Waves.parse("2, 100%").split(SIX)).containsExactly(List.of("h1", "h2"),
                List.of("h3", "h4", "h5", "h6"));
        assertThat(Waves.parse("1,10").split(List.of("a", "b"))).containsExactly(List.of("a"), List.of("b"));
        assertThat(Waves.parse("100%").split(List.of("a"))).containsExactly(List.of("a"));
    }

    @Test
    void malformedOrShortWavesAreRefusedNamingTheStep() {
        for (String text : List.of("", "0", "1,,100%", "101%", "1.5", "-1", "10%x", "1 0")) {
            assertThatThrownBy(() -> Waves.parse(text)).isInstanceOf(Failure.class)
                    .hasMessageStartingWith("--waves: `").hasMessageContaining("in `" + text + "'")
                    .extracting(e -> ((Failure) e).category()).isEqualTo(Failure.Category.INPUT);
        }
        assertThatThrownBy(() -> Waves.parse("4,50%").split(SIX))
                .hasMessage("--waves: `50%' (3 of 6 host(s)) is less than `4' before it (4)");
        assertThatThrownBy(() -> Waves.parse("1,50%").split(SIX))
                .hasMessage("--waves: `1,50%' reaches 3 of the 6 selected host(s); end it with 100%");
    }
}
