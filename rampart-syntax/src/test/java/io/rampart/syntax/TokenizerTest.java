package io.rampart.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizerTest {

    private static List<String> words(String line) throws RuleSyntaxException {
        return Tokenizer.split(line).stream().map(Token::text).toList();
    }

    @Test
    void blanksSeparateWordsAndRunsOfBlanksCountOnce() throws RuleSyntaxException {
        assertThat(words("  -A\tINPUT   -j  ACCEPT ")).containsExactly("-A", "INPUT", "-j", "ACCEPT");
    }

    @Test
    void quotesGroupWordsAndBackslashEscapesInsideThem() throws RuleSyntaxException {
        assertThat(words("--comment \"a b\" --log-prefix \"\\\"x\\\\ \\'y\\'\""))
                .containsExactly("--comment", "a b", "--log-prefix", "\"x\\ 'y'");
    }

    @Test
    void anEmptyQuotedWordIsAWord() throws RuleSyntaxException {
        assertThat(words("--comment \"\" -j ACCEPT")).containsExactly("--comment", "", "-j", "ACCEPT");
    }

    @Test
    void aClosingQuoteEndsTheWord() throws RuleSyntaxException {
        assertThat(words("a\"b c\"d")).containsExactly("ab c", "d");
    }

    @Test
    void columnsPointAtTheWords() throws RuleSyntaxException {
        assertThat(Tokenizer.split("-A INPUT  \"x y\"")).extracting(Token::column).containsExactly(1, 4, 11);
    }

    @Test
    void aWordEndsAfterItsLastCharacterOrItsClosingQuote() throws RuleSyntaxException {
        assertThat(Tokenizer.split("-A INPUT  \"x y\" a\"b\"c")).extracting(Token::end)
                .containsExactly(3, 9, 16, 21, 22);
    }

    @Test
    void anUnterminatedQuoteIsAnErrorAtTheQuote() {
        assertThatThrownBy(() -> Tokenizer.split("-m comment --comment \"oops"))
                .isInstanceOf(RuleSyntaxException.class)
                .hasMessageContaining("unterminated")
                .extracting(e -> ((RuleSyntaxException) e).column()).isEqualTo(22);
    }
}
