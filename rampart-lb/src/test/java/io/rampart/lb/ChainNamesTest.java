package io.rampart.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChainNamesTest {

    @Test
    void aPlainNameKeepsIptlbsChain() {
        assertThat(ChainNames.of("test")).isEqualTo("IPTLB_NAT_TEST");
        assertThat(ChainNames.of("web_1")).isEqualTo("IPTLB_NAT_WEB_1");
        assertThat(ChainNames.of("abcdefghijklmnopqr")).isEqualTo("IPTLB_NAT_ABCDEFGHIJKLMNOPQR").hasSize(28);
    }

    @Test
    void namesIptlbMappedToOneChainGetDistinctChains() {
        List<String> chains = List.of("a-b", "a_b", "A_B", "a.b", "A-B").stream().map(ChainNames::of).toList();
        assertThat(chains).doesNotHaveDuplicates();
        assertThat(chains.get(0)).startsWith("IPTLB_NAT_A_B-");
    }

    @Test
    void longNamesFitTheKernelsLimitAndStayDistinct() {
        String a = ChainNames.of("a-very-long-profile-name-for-the-frontend");
        String b = ChainNames.of("a-very-long-profile-name-for-the-backend");
        assertThat(a).hasSizeLessThanOrEqualTo(28).isNotEqualTo(b);
        assertThat(ChainNames.of("abcdefghijklmnopqrs")).hasSizeLessThanOrEqualTo(28);
    }
}
