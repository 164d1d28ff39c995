package io.rampart.analysis;

import static io.rampart.analysis.Rulesets.side;
import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Refactors across tables: marks set in mangle and read in filter, filter rules behind DNAT. */
class CrossTableDiffTest {

    private static final String FILTER_HEAD = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n";

    /** Bit 0 of the mark cleared, then set for the sources of {@code net}: filter reads the bit. */
    private static String marked(String net) {
        return "*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j MARK --set-xmark 0x0/0x1\n"
                + "-A PREROUTING -s " + net + " -j MARK --set-xmark 0x1/0x1\nCOMMIT\n"
                + FILTER_HEAD + "-A INPUT -m mark --mark 0x1/0x1 -j DROP\nCOMMIT\n";
    }

    private static final String BY_SOURCE = FILTER_HEAD + "-A INPUT -s 192.0.2.0/24 -j DROP\nCOMMIT\n";

    private static final String DNAT = "*nat\n:PREROUTING ACCEPT [0:0]\n"
            + "-A PREROUTING -d 203.0.113.10/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.5:8080\n"
            + "COMMIT\n";

    private static RulesetDiff.Result diff(String a, String b) {
        RulesetDiff.Result result = RulesetDiff.compare(side("a.rules", a, Family.IPV4), side("b.rules", b,
                Family.IPV4), 10, NameDatabase.system());
        result.differences().forEach(d -> assertThat(d.traced()).as(d.toString()).isTrue());
        return result;
    }

    @Test
    void aMarkSetInMangleIsTheSameAsItsConditionInFilter() {
        assertThat(diff(marked("192.0.2.0/24"), BY_SOURCE).equivalent()).isTrue();
    }

    @Test
    void aMarkSetForFewerSourcesDiffersOnTheOthers() {
        RulesetDiff.Result result = diff(marked("192.0.2.0/25"), BY_SOURCE);
        assertThat(result.differences()).singleElement().satisfies(d -> {
            assertThat(d.chain()).isEqualTo("INPUT");
            assertThat(d.region()).isEqualTo("from 192.0.2.128/25");
            assertThat(d.a().where()).isEqualTo("policy of INPUT");
            assertThat(d.b().where()).isEqualTo("b.rules:5");
            assertThat(d.packet()).containsEntry("src", "192.0.2.128");
        });
    }

    @Test
    void theMarkCarriedOnTheConnectionIsTheSameAsThePacketMark() {
        String saved = "*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j CONNMARK --set-xmark 0x0/0x1\n"
                + "-A PREROUTING -s 192.0.2.0/24 -j CONNMARK --set-xmark 0x1/0x1\n"
                + "-A PREROUTING -j CONNMARK --restore-mark --nfmask 0x1 --ctmask 0x1\nCOMMIT\n"
                + FILTER_HEAD + "-A INPUT -m mark --mark 0x1/0x1 -j DROP\nCOMMIT\n";
        RulesetDiff.Result result = diff(saved, BY_SOURCE);
        // Without a connection there is no connection mark to restore: the packet's own bit decides.
        assertThat(result.differences()).allSatisfy(d -> assertThat(d.region()).contains("state INVALID, UNTRACKED"));
        assertThat(result.differences()).isNotEmpty();
    }

    @Test
    void filterBehindDnatSeesTheNewDestination() {
        String newAddress = DNAT + FILTER_HEAD + "-A FORWARD -d 10.0.0.5/32 -p tcp -m tcp --dport 8080 -j ACCEPT\nCOMMIT\n";
        String split = "*nat\n:PREROUTING ACCEPT [0:0]\n:WEB - [0:0]\n-A PREROUTING -d 203.0.113.10/32 -j WEB\n"
                + "-A WEB -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.5:8080\nCOMMIT\n"
                + FILTER_HEAD + "-A FORWARD -d 10.0.0.5/32 -p tcp -m tcp --dport 8080 -j ACCEPT\nCOMMIT\n";
        assertThat(diff(newAddress, split).equivalent()).isTrue();
    }

    @Test
    void filterOnTheOldDestinationBehindDnatDiffers() {
        String newAddress = DNAT + FILTER_HEAD + "-A FORWARD -d 10.0.0.5/32 -p tcp -m tcp --dport 8080 -j ACCEPT\nCOMMIT\n";
        String oldAddress = DNAT + FILTER_HEAD + "-A FORWARD -d 203.0.113.10/32 -p tcp -m tcp --dport 80 -j ACCEPT\n"
                + "COMMIT\n";
        RulesetDiff.Result result = diff(newAddress, oldAddress);
        List<String> regions = result.differences().stream().map(d -> d.chain() + ": " + d.region()
                + (d.exact() ? "" : " (within these bounds)") + ": " + d.a().verdict() + "/" + d.b().verdict()).toList();
        assertThat(regions).containsExactly(
                // A first packet to the old address is translated to the new one, which the rule on the new
                // address accepts, as it accepts packets sent there directly; the rule on the old one sees neither.
                "FORWARD: tcp, to 10.0.0.5/32, 203.0.113.10/32, port 80, 8080 (within these bounds): ACCEPT/DROP",
                // A later packet was not translated by these rules: only the rule on the old address accepts it.
                "FORWARD: tcp, state any but NEW, to 203.0.113.10/32, port 80: DROP/ACCEPT");
        assertThat(result.differences().get(0).packet()).containsEntry("dst", "203.0.113.10")
                .containsEntry("dport", "80").containsEntry("ct_state", "NEW");
    }
}
