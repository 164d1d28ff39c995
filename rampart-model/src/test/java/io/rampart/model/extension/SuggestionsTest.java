package io.rampart.model.extension;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

    @Test
    void aSwapOfTwoLettersIsOneEdit() {
        assertThat(Suggestions.closest("dprot", List.of("dport", "sport", "syn"))).isEqualTo("dport");
    }

    @Test
    void farOffWordsGetNoSuggestion() {
        assertThat(Suggestions.closest("xyzzy", List.of("dport", "sport"))).isNull();
        assertThat(Suggestions.hint("xyzzy", List.of("dport"))).isNull();
    }
}
