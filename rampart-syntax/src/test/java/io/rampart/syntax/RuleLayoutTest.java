package io.rampart.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RuleLayout.WrittenExtension;
import io.rampart.syntax.RuleLayout.WrittenOption;
import org.junit.jupiter.api.Test;

/**
 * The parser's account of where each part of a rule was written: every span is checked against the
 * line itself, so a column off by one shows as the wrong text.
 */
class RuleLayoutTest {

    private static final ExtensionRegistry REGISTRY = StandardExtensions.registry();
    private final RuleParser parser = new RuleParser(REGISTRY, Family.IPV4, NameDatabase.system());

    private static ExtensionSpec match(String name) {
        return REGISTRY.match(name, Family.IPV4).orElseThrow();
    }

    private static String text(String line, int start, int end) {
        return line.substring(start - 1, end - 1);
    }

    private static String text(String line, Token token) {
        return text(line, token.column(), token.end());
    }

    private static String text(String line, WrittenOption option) {
        return text(line, option.start(), option.end());
    }

    @Test
    void negationsBeforeHeaderAndExtensionOptionsBelongToTheirOptions() throws RuleSyntaxException {
        String line = "-A INPUT ! -s 10.0.0.0/8 -p tcp ! --destination-port 22 -j ACCEPT";
        RuleLayout layout = parser.layout(line, Table.FILTER);

        assertThat(text(line, layout.chain())).isEqualTo("INPUT");
        WrittenOption source = layout.headerOption("s").orElseThrow();
        assertThat(text(line, source)).isEqualTo("! -s 10.0.0.0/8");
        assertThat(text(line, source.negation())).isEqualTo("!");
        assertThat(layout.headerOption("p").orElseThrow().negation()).isNull();
        WrittenOption port = layout.match(match("tcp"), 0).orElseThrow().option("dport", 0).orElseThrow();
        assertThat(text(line, port)).isEqualTo("! --destination-port 22");
        assertThat(text(line, port.word())).isEqualTo("--destination-port");
        assertThat(port.arguments()).extracting(Token::text).containsExactly("22");
    }

    @Test
    void aMatchTheProtocolLoadsIsNamedByTheOptionItWasLoadedFor() throws RuleSyntaxException {
        String line = "-A INPUT -p udp --dport 53 -j ACCEPT";
        WrittenExtension udp = parser.layout(line, Table.FILTER).matches().get(0);

        assertThat(udp.spec()).isEqualTo(match("udp"));
        assertThat(text(line, udp.loader())).isEqualTo("--dport");
        assertThat(text(line, udp.name())).isEqualTo("--dport");
        assertThat(text(line, udp.start(), udp.end())).isEqualTo("--dport 53");
    }

    @Test
    void abbreviatedOptionsStandForTheOptionsTheyAbbreviate() throws RuleSyntaxException {
        String line = "-A INPUT -p tcp --sp 1024:65535 --destination-p 80 --ju ACCEPT";
        RuleLayout layout = parser.layout(line, Table.FILTER);

        WrittenExtension tcp = layout.match(match("tcp"), 0).orElseThrow();
        assertThat(tcp.options()).extracting(o -> o.spec().name()).containsExactly("sport", "dport");
        assertThat(text(line, tcp.option("sport", 0).orElseThrow())).isEqualTo("--sp 1024:65535");
        assertThat(text(line, tcp.option("dport", 0).orElseThrow())).isEqualTo("--destination-p 80");
        assertThat(text(line, layout.target().loader())).isEqualTo("--ju");
        assertThat(text(line, layout.target().name())).isEqualTo("ACCEPT");
    }

    @Test
    void aQuotedArgumentSpansItsQuotesAndIsReadWithoutThem() throws RuleSyntaxException {
        String line = "-A INPUT -m comment --comment \"allow ssh from the office\" -j LOG --log-prefix=\"ssh: \"";
        RuleLayout layout = parser.layout(line, Table.FILTER);

        Token comment = layout.match(match("comment"), 0).orElseThrow().option("comment", 0).orElseThrow()
                .arguments().get(0);
        assertThat(comment.text()).isEqualTo("allow ssh from the office");
        assertThat(text(line, comment)).isEqualTo("\"allow ssh from the office\"");
        WrittenOption prefix = layout.target().option("log-prefix", 0).orElseThrow();
        assertThat(prefix.arguments().get(0).text()).isEqualTo("ssh: ");
        assertThat(text(line, prefix.arguments().get(0))).isEqualTo("\"ssh: \"");
        assertThat(text(line, layout.target().start(), layout.target().end()))
                .isEqualTo("-j LOG --log-prefix=\"ssh: \"");
    }

    @Test
    void aRepeatedMatchKeepsItsOwnOptions() throws RuleSyntaxException {
        String line = "-A INPUT -m mark --mark 1 -m comment --comment one -m mark ! --mark 0x2/0xff"
                + " -m comment --comment \"two words\" -j ACCEPT";
        RuleLayout layout = parser.layout(line, Table.FILTER);

        assertThat(layout.matches()).extracting(m -> m.spec().name())
                .containsExactly("mark", "comment", "mark", "comment");
        WrittenExtension secondMark = layout.match(match("mark"), 1).orElseThrow();
        assertThat(text(line, secondMark.start(), secondMark.end())).isEqualTo("-m mark ! --mark 0x2/0xff");
        assertThat(layout.match(match("comment"), 1).orElseThrow().option("comment", 0).orElseThrow()
                .arguments()).extracting(Token::text).containsExactly("two words");
        assertThat(layout.match(match("comment"), 2)).isEmpty();
    }

    @Test
    void aUserChainTargetHasNoSpecButItsName() throws RuleSyntaxException {
        String line = "-A FORWARD -i eth0 -g FROM-LAN";
        RuleLayout layout = parser.layout(line, Table.FILTER);

        assertThat(layout.target().spec()).isNull();
        assertThat(text(line, layout.target().loader())).isEqualTo("-g");
        assertThat(text(line, layout.target().name())).isEqualTo("FROM-LAN");
        assertThat(text(line, layout.headerOption("i").orElseThrow())).isEqualTo("-i eth0");
    }

    @Test
    void aNegationAfterTheOptionIsRefusedAtTheNegation() {
        String line = "-A INPUT -p tcp --dport ! 22 -j ACCEPT";
        assertThatThrownBy(() -> parser.layout(line, Table.FILTER)).isInstanceOf(RuleSyntaxException.class)
                .hasMessageContaining("write `! --dport VALUE'")
                .extracting(e -> ((RuleSyntaxException) e).column()).isEqualTo(line.indexOf('!') + 1);
        assertThatThrownBy(() -> parser.parseLine("-A INPUT ! -m tcp -p tcp", Table.FILTER))
                .isInstanceOf(RuleSyntaxException.class).hasMessageContaining("cannot precede -m")
                .extracting(e -> ((RuleSyntaxException) e).column()).isEqualTo(10);
    }

    @Test
    void theLayoutReadsWordsAndLeavesValuesToTheParse() throws RuleSyntaxException {
        String line = "-A INPUT -p tcp --dport 99999 -j ACCEPT";
        assertThat(text(line, parser.layout(line, Table.FILTER).matches().get(0).option("dport", 0).orElseThrow()))
                .isEqualTo("--dport 99999");
        assertThatThrownBy(() -> parser.parseLine(line, Table.FILTER)).isInstanceOf(RuleSyntaxException.class)
                .extracting(e -> ((RuleSyntaxException) e).column()).isEqualTo(line.indexOf("99999") + 1);
    }
}
