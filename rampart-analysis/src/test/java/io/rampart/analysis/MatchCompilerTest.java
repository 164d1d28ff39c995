package io.rampart.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Rule;
import io.rampart.model.Table;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RuleParser;
import io.rampart.syntax.RuleSyntaxException;
import java.util.BitSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code -m length} and {@code -m ecn} as sets of packets, against what the kernel's xt_length and
 * xt_ecn compare: IPv4's total length, IPv6's payload length plus its 40-byte header, the TOS byte's
 * two low bits, and TCP's ECE (0x40) and CWR (0x80) flags.
 */
class MatchCompilerTest {

    private static final int TCP = 6;
    private static final int ACK = 0x10;
    private static final int SYN = 0x02;
    private static final int ECE = 0x40;
    private static final int CWR = 0x80;

    @Test
    void ipv4LengthIsTheTotalLengthWithinTheRangeInclusive() {
        Compiled rule = compile(Family.IPV4, "-A INPUT -m length --length 100:1500");
        assertThat(rule.matchesLength(99)).isFalse();
        assertThat(rule.matchesLength(100)).isTrue();
        assertThat(rule.matchesLength(1500)).isTrue();
        assertThat(rule.matchesLength(1501)).isFalse();
    }

    @Test
    void ipv6LengthCountsTheFortyByteHeaderBesidesThePayload() {
        Compiled rule = compile(Family.IPV6, "-A INPUT -m length --length 100:1500");
        assertThat(rule.matchesField(rule.space.length, 59)).isFalse();
        assertThat(rule.matchesField(rule.space.length, 60)).isTrue();
        assertThat(rule.matchesField(rule.space.length, 1460)).isTrue();
        assertThat(rule.matchesField(rule.space.length, 1461)).isFalse();
    }

    @Test
    void ipv6LengthBelowItsHeaderMatchesNoPacketAndNegatedEvery() {
        Compiled below = compile(Family.IPV6, "-A INPUT -m length --length 0:39");
        Compiled negated = compile(Family.IPV6, "-A INPUT -m length ! --length 0:39");
        assertThat(below.set).isEqualTo(below.space.no());
        assertThat(negated.set).isEqualTo(negated.space.yes());
    }

    @Test
    void ipv6PayloadsLongerThanTheLargestLengthMatchOnlyNegated() {
        // xt_length adds the header in 32 bits, so a payload of 65,535 bytes is 65,575 long, above any range.
        Compiled whole = compile(Family.IPV6, "-A INPUT -m length --length 0:65535");
        assertThat(whole.matchesField(whole.space.length, 65495)).isTrue();
        assertThat(whole.matchesField(whole.space.length, 65496)).isFalse();
        Compiled negated = compile(Family.IPV6, "-A INPUT -m length ! --length 0:65535");
        assertThat(negated.matchesField(negated.space.length, 65535)).isTrue();
        assertThat(negated.matchesField(negated.space.length, 0)).isFalse();
    }

    @Test
    void negatedLengthIsTheComplement() {
        Compiled rule = compile(Family.IPV4, "-A INPUT -m length ! --length 64");
        assertThat(rule.matchesLength(64)).isFalse();
        assertThat(rule.matchesLength(63)).isTrue();
        assertThat(rule.matchesLength(65)).isTrue();
    }

    @Test
    void ectIsTheTwoLowBitsOfTheTosByte() {
        Compiled rule = compile(Family.IPV4, "-A INPUT -m ecn --ecn-ip-ect 1");
        assertThat(rule.matchesField(rule.space.tos, 0x01)).isTrue();
        assertThat(rule.matchesField(rule.space.tos, 0xb9)).isTrue();
        assertThat(rule.matchesField(rule.space.tos, 0x02)).isFalse();
        assertThat(rule.matchesField(rule.space.tos, 0x03)).isFalse();
        Compiled negated = compile(Family.IPV6, "-A INPUT -m ecn ! --ecn-ip-ect 3");
        assertThat(negated.matchesField(negated.space.tos, 0x03)).isFalse();
        assertThat(negated.matchesField(negated.space.tos, 0xfe)).isTrue();
    }

    @Test
    void eceAndCwrAreTheTcpFlagsAboveUrg() {
        Compiled ece = compile(Family.IPV4, "-A INPUT -p tcp -m ecn --ecn-tcp-ece");
        assertThat(ece.matchesTcp(SYN | ECE | CWR)).isTrue();
        assertThat(ece.matchesTcp(ACK | ECE)).isTrue();
        assertThat(ece.matchesTcp(ACK | CWR)).isFalse();
        Compiled notCwr = compile(Family.IPV4, "-A INPUT -p tcp -m ecn ! --ecn-tcp-cwr");
        assertThat(notCwr.matchesTcp(ACK | ECE)).isTrue();
        assertThat(notCwr.matchesTcp(ACK | CWR)).isFalse();
    }

    @Test
    void theOptionsOfOneEcnMatchMustAllHold() {
        Compiled rule = compile(Family.IPV4, "-A INPUT -p tcp -m ecn --ecn-tcp-ece ! --ecn-tcp-cwr --ecn-ip-ect 2");
        HeaderSpace space = rule.space;
        assertThat(rule.matches(Map.of(space.proto, (long) TCP, space.tcpFlags, (long) (ACK | ECE),
                space.tos, 0x02L))).isTrue();
        assertThat(rule.matches(Map.of(space.proto, (long) TCP, space.tcpFlags, (long) (ACK | ECE | CWR),
                space.tos, 0x02L))).isFalse();
        assertThat(rule.matches(Map.of(space.proto, (long) TCP, space.tcpFlags, (long) (ACK | ECE),
                space.tos, 0x01L))).isFalse();
        assertThat(rule.matches(Map.of(space.proto, 17L, space.tcpFlags, (long) (ACK | ECE),
                space.tos, 0x02L))).isFalse();
    }

    @Test
    void tcpFlagsMatchesLeaveEceAndCwrAlone() {
        Compiled rule = compile(Family.IPV4, "-A INPUT -p tcp -m tcp --tcp-flags ALL SYN");
        assertThat(rule.matchesTcp(SYN)).isTrue();
        assertThat(rule.matchesTcp(SYN | ECE | CWR)).isTrue();
        assertThat(rule.matchesTcp(SYN | ACK)).isFalse();
    }

    @Test
    void lengthAndEcnAreModelledNotFree() {
        Compiled rule = compile(Family.IPV4, "-A INPUT -p tcp -m length --length 40:60 -m ecn --ecn-tcp-ece");
        assertThat(rule.space.freeSet().isEmpty()).isTrue();
    }

    /** A rule's match compiled in a space of its own. */
    private record Compiled(HeaderSpace space, int set) {

        boolean matches(Map<HeaderSpace.Field, Long> values) {
            BitSet point = new BitSet();
            values.forEach((field, value) -> {
                for (int i = 0; i < field.width(); i++) {
                    point.set(HeaderSpace.variable(field, i), (value >> i & 1) == 1);
                }
            });
            return space.bdd().evaluate(set, point);
        }

        boolean matchesField(HeaderSpace.Field field, long value) {
            return matches(Map.of(field, value));
        }

        boolean matchesLength(long value) {
            return matchesField(space.length, value);
        }

        boolean matchesTcp(int flags) {
            return matches(Map.of(space.proto, (long) TCP, space.tcpFlags, (long) flags));
        }
    }

    private static Compiled compile(Family family, String line) {
        try {
            Rule rule = new RuleParser(StandardExtensions.registry(), family, NameDatabase.builtin())
                    .parseLine(line, Table.FILTER).get(0);
            HeaderSpace space = new HeaderSpace(family, new InterfaceDomain(Set.of()), 1 << 12);
            return new Compiled(space, new MatchCompiler(space).compile(rule));
        } catch (RuleSyntaxException e) {
            throw new IllegalArgumentException(line + ": " + e.getMessage(), e);
        }
    }
}
