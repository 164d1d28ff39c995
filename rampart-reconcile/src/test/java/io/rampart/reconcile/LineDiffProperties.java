package io.rampart.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class LineDiffProperties {

    /** Runs the edits the way iptables-restore does, by position on the chain as it is at that moment. */
    private static List<String> run(List<String> from, List<String> to, List<LineDiff.Edit> edits) {
        List<String> chain = new ArrayList<>(from);
        for (LineDiff.Edit edit : edits) {
            switch (edit.kind()) {
                case DELETE -> chain.remove(edit.position() - 1);
                case INSERT -> chain.add(edit.position() - 1, to.get(edit.toIndex()));
                case REPLACE -> chain.set(edit.position() - 1, to.get(edit.toIndex()));
            }
        }
        return chain;
    }

    @Property(tries = 500)
    void editsTurnOneListIntoTheOther(@ForAll @Size(max = 30) List<@IntRange(max = 6) Integer> a,
                                      @ForAll @Size(max = 30) List<@IntRange(max = 6) Integer> b) {
        List<String> from = a.stream().map(i -> "rule " + i).toList();
        List<String> to = b.stream().map(i -> "rule " + i).toList();
        assertThat(run(from, to, LineDiff.edits(from, to))).isEqualTo(to);
    }

    @Property(tries = 200)
    void equalListsNeedNoEdits(@ForAll @Size(max = 30) List<@IntRange(max = 6) Integer> a) {
        List<String> lines = a.stream().map(i -> "rule " + i).toList();
        assertThat(LineDiff.edits(lines, lines)).isEmpty();
    }

    @Property(tries = 200)
    void oneChangedRuleIsOneEdit(@ForAll @Size(min = 1, max = 40) List<@IntRange(max = 1000) Integer> a,
                                 @ForAll @IntRange(max = 39) int where) {
        List<String> from = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            from.add("rule " + i + " " + a.get(i));
        }
        List<String> to = new ArrayList<>(from);
        to.set(where % from.size(), "changed");
        assertThat(LineDiff.edits(from, to)).hasSize(1);
    }
}
