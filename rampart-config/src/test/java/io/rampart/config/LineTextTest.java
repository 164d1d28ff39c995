package io.rampart.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LineTextTest {

    @Test
    void linesSplitAtLfAndCrlfAndKeepTheEmptyLastLine() {
        assertThat(LineText.lines("*filter\r\n-A INPUT -j ACCEPT\nCOMMIT\n"))
                .containsExactly("*filter", "-A INPUT -j ACCEPT", "COMMIT", "");
        assertThat(LineText.lines("")).containsExactly("");
        assertThat(LineText.lines("\r\n\n")).containsExactly("", "", "");
    }

    @Test
    void aLoneCarriageReturnStaysInItsLine() {
        assertThat(LineText.lines("a\rb\n")).containsExactly("a\rb", "");
    }
}
