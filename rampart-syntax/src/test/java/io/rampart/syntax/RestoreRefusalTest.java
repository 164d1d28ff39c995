package io.rampart.syntax;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The messages are what iptables-restore v1.8.9 printed, legacy and nf_tables, for refused scripts. */
class RestoreRefusalTest {

    private static final RestoreScript SCRIPT = RestoreScript.parse("*filter\n-X C1\n-A INPUT -j NOPE\nCOMMIT\n");

    @Test
    void legacyNamesTheLine() {
        RestoreRefusal refusal = RestoreRefusal.of("iptables-restore: line 2 failed\n");
        assertThat(refusal.line()).isEqualTo(OptionalInt.of(2));
        assertThat(refusal.explain(SCRIPT))
                .isEqualTo("the kernel refused `-X C1': iptables-restore: line 2 failed (nothing was changed)");
    }

    @Test
    void nfTablesNamesTheLineWithTheReason() {
        RestoreRefusal refusal = RestoreRefusal.of(
                "iptables-nft-restore: line 2 failed: Index of deletion too big.\n");
        assertThat(refusal.line()).isEqualTo(OptionalInt.of(2));
        assertThat(refusal.reason()).isEqualTo("iptables-nft-restore: line 2 failed: Index of deletion too big.");
    }

    @Test
    void nfTablesBatchRefusalGivesItsReasonOnTheSecondLine() {
        RestoreRefusal refusal = RestoreRefusal.of("iptables-nft-restore v1.8.9 (nf_tables): \n"
                + "line 2: CHAIN_DEL failed (Device or resource busy): chain C1\n");
        assertThat(refusal.line()).isEqualTo(OptionalInt.of(2));
        assertThat(refusal.reason()).isEqualTo("line 2: CHAIN_DEL failed (Device or resource busy): chain C1");
        assertThat(refusal.command(SCRIPT)).contains(new RestoreScript.DeleteChain("C1", null));
    }

    @Test
    void aLineThatCannotBeReadIsNamedBelowTheReason() {
        RestoreRefusal refusal = RestoreRefusal.of("iptables-restore v1.8.9 (legacy): Couldn't load target `NOPE':"
                + "No such file or directory\n\nError occurred at line: 3\n"
                + "Try `iptables-restore -h' or 'iptables-restore --help' for more information.\n");
        assertThat(refusal.line()).isEqualTo(OptionalInt.of(3));
        assertThat(refusal.command(SCRIPT)).contains(new RestoreScript.Append("-A INPUT -j NOPE", null));
        assertThat(refusal.reason()).startsWith("iptables-restore v1.8.9 (legacy): Couldn't load target `NOPE'");
    }

    @Test
    void withoutALineTheChangeAsAWhole() {
        RestoreRefusal refusal = RestoreRefusal.of("iptables-restore: unable to initialize table 'filter'\n");
        assertThat(refusal.line()).isEmpty();
        assertThat(refusal.explain(SCRIPT)).isEqualTo(
                "the kernel refused the change: iptables-restore: unable to initialize table 'filter' (nothing was changed)");
    }
}
