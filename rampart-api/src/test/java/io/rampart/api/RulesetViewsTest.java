package io.rampart.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.api.LiveRulesets.Snapshot;
import io.rampart.api.RulesetOutline.ChainOutline;
import io.rampart.api.SearchResult.Hit;
import io.rampart.model.Failure;
import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.SavedState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The outline and the search over a parsed ruleset, without the kernel: order, own chains, what a query finds. */
class RulesetViewsTest {

    /** As iptables-save prints it (save order, not natural order), with Rampart's bookkeeping and a stage chain. */
    private static final String SAVED = """
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :C10 - [0:0]
            :C2 - [0:0]
            :RAMPART-MANAGED - [0:0]
            :RS.blue.INPUT - [0:0]
            :c1 - [0:0]
            :lonely - [0:0]
            -A INPUT -i lo -j ACCEPT
            -A INPUT -s 10.1.0.0/16 -p tcp -m tcp --dport 22 -j C2
            -A INPUT -d 192.0.2.0/24 -p udp -m multiport --dports 53,5000:5100 -j C10
            -A INPUT -p tcp -m tcp --dport 443 -j C10
            -A FORWARD -g c1
            -A C10 -s 10.1.2.3/32 -j ACCEPT
            -A C2 -p tcp -m tcp --sport 1024:65535 -j ACCEPT
            -A RAMPART-MANAGED -m comment --comment INPUT
            -A RAMPART-MANAGED -m comment --comment C2
            -A c1 -j C2
            -A lonely -j DROP
            COMMIT
            """;

    private static Snapshot snapshot(Optional<DesiredState> desired) {
        LiveRulesets.Parsed parsed = new LiveRulesets(NameDatabase.system()).parse(SAVED, Family.IPV4, "", desired);
        return new Snapshot(parsed, SavedState.parse(SAVED));
    }

    private static Snapshot snapshot() {
        return snapshot(Optional.empty());
    }

    @Test
    void naturalOrderComparesNumbersAsNumbers() {
        List<String> names = new ArrayList<>(List.of("C10", "c1", "C2", "svc-0010", "svc-0009", "C2a", "a", "A", "x7",
                "x07"));
        names.sort(NaturalOrder.INSTANCE);
        assertThat(names).containsExactly("A", "a", "c1", "C2", "C2a", "C10", "svc-0009", "svc-0010", "x07", "x7");
    }

    @Test
    void outlineHasBuiltinsByHookThenUserChainsInNaturalOrderThenRampartsOwn() {
        RulesetOutline outline = RulesetOutline.of(snapshot());
        List<ChainOutline> chains = outline.tables().get(0).chains();
        assertThat(chains).extracting(ChainOutline::name).containsExactly("INPUT", "FORWARD", "OUTPUT", "c1", "C2",
                "C10", "lonely", "RAMPART-MANAGED", "RS.blue.INPUT");
        assertThat(chains).filteredOn(ChainOutline::own).extracting(ChainOutline::name)
                .containsExactly("RAMPART-MANAGED", "RS.blue.INPUT");
        assertThat(outline.user()).isEqualTo(new RulesetOutline.Totals(7, 9));
        assertThat(outline.own()).isEqualTo(new RulesetOutline.Totals(2, 2));
    }

    @Test
    void jumpsAreFoldedPerTargetWithTheirCount() {
        ChainOutline input = RulesetOutline.of(snapshot()).tables().get(0).chains().get(0);
        assertThat(input.jumps()).containsExactly(new RulesetOutline.Jump("C2", "jump", 1, 2),
                new RulesetOutline.Jump("C10", "jump", 2, 3));
        ChainOutline forward = RulesetOutline.of(snapshot()).tables().get(0).chains().get(1);
        assertThat(forward.jumps()).containsExactly(new RulesetOutline.Jump("c1", "goto", 1, 1));
    }

    @Test
    void aChainNameFindsTheChainFirstThenRulesWithTheText() {
        SearchResult result = RuleSearch.search(snapshot(), "c2", null);
        assertThat(result.as()).isEqualTo("text");
        assertThat(result.hits().get(0)).isEqualTo(new Hit("filter", "C2", null, null, null));
        assertThat(result.hits()).extracting(h -> h.chain() + "/" + h.rule())
                .containsExactly("C2/null", "INPUT/2", "RAMPART-MANAGED/2", "c1/1");
        assertThat(result.total()).isEqualTo(4);
    }

    @Test
    void anAddressFindsTheRulesWhoseNetworksHoldIt() {
        assertThat(rules("10.1.2.3")).containsExactly("INPUT/2", "C10/1");
        assertThat(rules("10.1.9.9")).containsExactly("INPUT/2");
        assertThat(rules("10.0.0.0/8")).containsExactly("INPUT/2", "C10/1");
        assertThat(rules("192.0.2.200")).containsExactly("INPUT/3");
        assertThat(RuleSearch.search(snapshot(), "192.0.2.200", null).as()).isEqualTo("address");
        assertThatThrownBy(() -> RuleSearch.search(snapshot(), "10.0.0.0/33", null)).isInstanceOf(Failure.class)
                .hasMessageContaining("prefix length is 0 to 32");
    }

    @Test
    void aPortFindsPortsRangesAndLists() {
        assertThat(rules("22")).containsExactly("INPUT/2");
        assertThat(rules("5050")).containsExactly("INPUT/3", "C2/1");
        assertThat(rules("53")).containsExactly("INPUT/3");
        assertThat(rules("80")).isEmpty();
        assertThat(RuleSearch.search(snapshot(), "80", null).as()).isEqualTo("port");
    }

    @Test
    void aFileLineFindsTheRuleWrittenThere() throws Exception {
        String file = """
                *filter
                :INPUT DROP [0:0]
                :FORWARD DROP [0:0]
                :OUTPUT ACCEPT [0:0]
                :C10 - [0:0]
                -A INPUT -i lo -j ACCEPT
                -A INPUT -p tcp --dport 443 -j C10
                COMMIT
                """;
        DesiredState desired = DesiredState.of(new RulesetParser(StandardExtensions.registry(), Family.IPV4,
                NameDatabase.system())
                .parseWithLines(file), StandardExtensions.registry(), "/etc/rampart/host.rules");
        SearchResult result = RuleSearch.search(snapshot(Optional.of(desired)), "host.rules:7", null);
        assertThat(result.as()).isEqualTo("source");
        assertThat(result.hits()).containsExactly(new Hit("filter", "INPUT", 4, "-A INPUT -p tcp -m tcp --dport 443"
                + " -j C10", "/etc/rampart/host.rules:7"));
    }

    @Test
    void hitsStopAtTheLimitAndTheTotalCountsThemAll() {
        SearchResult result = RuleSearch.search(snapshot(), "-j", "2");
        assertThat(result.hits()).hasSize(2);
        assertThat(result.total()).isEqualTo(8);
        assertThatThrownBy(() -> RuleSearch.search(snapshot(), "-j", "0")).isInstanceOf(Failure.class)
                .hasMessageContaining("limit must be a number from 1 to 500");
        assertThatThrownBy(() -> RuleSearch.search(snapshot(), " ", null)).isInstanceOf(Failure.class)
                .hasMessageContaining("search needs a query");
    }

    private static List<String> rules(String query) {
        return RuleSearch.search(snapshot(), query, null).hits().stream().filter(h -> h.rule() != null)
                .map(h -> h.chain() + "/" + h.rule()).toList();
    }
}
