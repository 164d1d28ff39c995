package io.rampart.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState.DesiredRule;
import io.rampart.reconcile.DesiredState.DesiredTable;
import io.rampart.syntax.RulesetParser;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which chains two desired states differ in: a rule changed in place, as the agent's quick way
 * makes it (every other chain's rules and the declarations shared with the full reading), gives
 * the same answer as the same change read in full.
 */
class DesiredChangesTest {

    private static final String FILE = """
            *filter
            :A - [0:0]
            :B - [0:0]
            # rampart: shared FORWARD head
            -A FORWARD -j A
            -A FORWARD -j B
            -A A -s 10.0.0.1/32 -j ACCEPT
            -A A -j DROP
            -A B -s 10.0.1.1/32 -j ACCEPT
            COMMIT
            """;

    private static DesiredState read(String text) throws Exception {
        return DesiredState.of(new RulesetParser(StandardExtensions.registry(), Family.IPV4, NameDatabase.system())
                .parseWithLines(text), StandardExtensions.registry(), "changes.rules");
    }

    /** {@code read} with rule {@code index} of {@code chain} replaced by {@code line}, sharing all else. */
    private static DesiredState inPlace(DesiredState read, String chain, int index, String line) {
        DesiredTable filter = read.table(Table.FILTER).orElseThrow();
        Map<String, List<DesiredRule>> rules = new LinkedHashMap<>(filter.rules());
        List<DesiredRule> changed = new ArrayList<>(rules.get(chain));
        changed.set(index, new DesiredRule(line, changed.get(index).source()));
        rules.put(chain, changed);
        Map<Table, DesiredTable> tables = new LinkedHashMap<>(read.tables());
        tables.put(Table.FILTER, new DesiredTable(Table.FILTER, filter.chains(), rules, filter.byName()));
        return new DesiredState(read.family(), read.source(), tables);
    }

    private static DesiredChanges.Kind between(DesiredState before, DesiredState after, Set<KernelView.TableChain> into) {
        return DesiredChanges.between(before, after, into);
    }

    @Test
    void aRuleChangedInPlaceInAChainOwnedWholeIsAChangeOfRulesInThatChain() throws Exception {
        DesiredState read = read(FILE);
        String line = "-A A -s 10.0.0.2/32 -j ACCEPT";
        Set<KernelView.TableChain> quick = new HashSet<>();
        Set<KernelView.TableChain> full = new HashSet<>();
        DesiredChanges.Kind quickKind = between(read, inPlace(read, "A", 0, line), quick);
        DesiredChanges.Kind fullKind = between(read, read(FILE.replace("-A A -s 10.0.0.1/32", "-A A -s 10.0.0.2/32")),
                full);
        assertThat(quickKind).isEqualTo(DesiredChanges.Kind.RULES).isEqualTo(fullKind);
        assertThat(quick).containsExactly(new KernelView.TableChain(Table.FILTER, "A")).isEqualTo(full);
    }

    @Test
    void aRuleChangedInPlaceInASharedChainChangesRampartsRecords() throws Exception {
        DesiredState read = read(FILE);
        Set<KernelView.TableChain> quick = new HashSet<>();
        Set<KernelView.TableChain> full = new HashSet<>();
        DesiredChanges.Kind quickKind = between(read, inPlace(read, "FORWARD", 1, "-A FORWARD -j A"), quick);
        DesiredChanges.Kind fullKind = between(read, read(FILE.replace("-A FORWARD -j B", "-A FORWARD -j A")), full);
        assertThat(quickKind).isEqualTo(DesiredChanges.Kind.DECLARATIONS).isEqualTo(fullKind);
        assertThat(quick).containsExactly(new KernelView.TableChain(Table.FILTER, "FORWARD")).isEqualTo(full);
    }

    @Test
    void theSameRuleWrittenAgainInPlaceIsNoChange() throws Exception {
        DesiredState read = read(FILE);
        Set<KernelView.TableChain> quick = new HashSet<>();
        String same = read.table(Table.FILTER).orElseThrow().rulesOf("B").get(0).line();
        assertThat(between(read, inPlace(read, "B", 0, same), quick)).isEqualTo(DesiredChanges.Kind.RULES);
        assertThat(quick).isEmpty();
    }
}
