package io.rampart.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.value.Range;
import io.rampart.model.value.Text;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptionTest {

    @Test
    void typedArgumentsAreTheListOfTheirTextsForEveryList() {
        List<List<String>> texts = List.of(List.of(), List.of("22"), List.of("1:1023", "x"));
        for (List<String> text : texts) {
            List<Range> ranges = new ArrayList<>();
            List<Text> words = new ArrayList<>();
            for (String t : text) {
                words.add(new Text(t));
                ranges.add(t.equals("x") ? new Range(7, 7) : new Range(1, 1));
            }
            List<String> typed = Option.typed("dport", false, words).args();
            assertThat(typed).isEqualTo(text).hasSameHashCodeAs(text);
            assertThat(text).isEqualTo(typed);
            assertThat(new ArrayList<>(text)).isEqualTo(typed);
            assertThat(typed).isEqualTo(Option.typed("dport", false, List.copyOf(words)).args());
            if (!text.isEmpty()) {
                assertThat(typed).isNotEqualTo(Option.typed("dport", false, ranges).args());
            }
        }
        assertThat(Option.typed("p", true, List.of(new Text("tcp")))).isEqualTo(Option.negated("p", true, "tcp"))
                .hasSameHashCodeAs(Option.negated("p", true, "tcp"));
        assertThat(Option.typed("p", true, List.of(new Text("tcp")))).isNotEqualTo(Option.negated("p", true, "udp"));
    }
}
