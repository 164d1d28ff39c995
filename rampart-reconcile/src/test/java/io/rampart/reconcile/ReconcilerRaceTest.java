package io.rampart.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RulesetParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An apply while another program writes between its read, its write and its read-back. */
class ReconcilerRaceTest {

    private static final String FIRST = """
            *filter
            :APP - [0:0]
            # rampart: shared FORWARD head
            -A FORWARD -s 10.0.0.1/32 -j ACCEPT
            -A FORWARD -s 10.0.0.2/32 -j ACCEPT
            -A FORWARD -j APP
            -A APP -d 10.9.0.1/32 -j DROP
            COMMIT
            """;
    private static final String SECOND = FIRST.replace("10.0.0.2/32", "10.0.0.3/32").replace("10.9.0.1", "10.9.0.2");
    private static final String FOREIGN = "-A FORWARD -s 192.0.2.7/32 -j DROP";

    private final ModelXtables kernel = new ModelXtables();
    private final Reconciler reconciler = new Reconciler(kernel, StandardExtensions.registry());

    private static DesiredState desired(String text) throws Exception {
        return DesiredState.of(new RulesetParser(StandardExtensions.registry(), Family.IPV4,
                NameDatabase.system()).parseWithLines(text),
                StandardExtensions.registry(), "test.rules");
    }

    private List<String> rulesOf(String chain) {
        return kernel.save(Family.IPV4).lines().filter(l -> l.startsWith("-A " + chain + " ")).toList();
    }

    @Test
    void inASharedChainOnlyRampartsRulesAreDeletedAndByTheirText() throws Exception {
        kernel.restore(Family.IPV4, "*filter\n" + FOREIGN + "\nCOMMIT\n");
        reconciler.apply(desired(FIRST));
        Plan plan = reconciler.plan(desired(SECOND));
        assertThat(plan.script()).doesNotContainPattern("-[DR] FORWARD [0-9]|-I FORWARD ([02-9]|1[0-9])")
                .contains("-D FORWARD -s 10.0.0.2/32 -j ACCEPT\n", "-I FORWARD 1 -s 10.0.0.1/32 -j ACCEPT\n");
    }

    @Test
    void aRuleGoneBeforeTheWriteMakesTheRestoreFailAndTheApplyPlanAgain() throws Exception {
        reconciler.apply(desired(FIRST));
        // Someone deletes one of Rampart's rules between its read and its write.
        kernel.othersBefore.add("*filter\n-D FORWARD -s 10.0.0.2/32 -j ACCEPT\n-I FORWARD 1" + FOREIGN.substring(10)
                + "\nCOMMIT\n");
        Reconciler.Applied applied = reconciler.apply(desired(SECOND));
        assertThat(applied.replans()).isEqualTo(1);
        assertThat(rulesOf("FORWARD")).containsExactly("-A FORWARD -s 10.0.0.1/32 -j ACCEPT",
                "-A FORWARD -s 10.0.0.3/32 -j ACCEPT", "-A FORWARD -j APP", FOREIGN);
        assertThat(reconciler.apply(desired(SECOND)).written()).isFalse();
    }

    @Test
    void aWriteThatDidNotLandAsPlannedIsFoundByTheReadBackAndPlannedAgain() throws Exception {
        reconciler.apply(desired(FIRST));
        // Someone writes into Rampart's own chain right after its write, before the read-back.
        kernel.othersAfter.add("*filter\n-I APP 1 -j RETURN\nCOMMIT\n");
        Reconciler.Applied applied = reconciler.apply(desired(SECOND));
        assertThat(applied.replans()).isEqualTo(1);
        assertThat(rulesOf("APP")).containsExactly("-A APP -d 10.9.0.2/32 -j DROP");
    }

    @Test
    void aKernelThatKeepsChangingEndsTheApplyWithAnError() throws Exception {
        reconciler.apply(desired(FIRST));
        for (int i = 0; i < Reconciler.ATTEMPTS; i++) {
            kernel.othersAfter.add("*filter\n-I APP 1 -s 10.8.0." + (i + 1) + "/32 -j RETURN\nCOMMIT\n");
        }
        assertThatThrownBy(() -> reconciler.apply(desired(SECOND))).isInstanceOf(ApplyException.class)
                .hasMessageContaining("kept changing").hasMessageContaining(Reconciler.ATTEMPTS + " attempts");
    }

    @Test
    void aFirstApplyToAKernelWithoutTablesWritesOnceAndReportsItsPlan() throws Exception {
        Reconciler.Applied applied = reconciler.apply(desired("*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\n"
                + "COMMIT\n"));
        assertThat(kernel.scripts).hasSize(1);
        assertThat(applied.replans()).isZero();
        assertThat(applied.written()).isTrue();
        assertThat(applied.plan().isEmpty()).isFalse();
    }

    @Test
    void aWriteIsCheckedByListingTheChainsItNamedNotByReadingEverythingAgain() throws Exception {
        reconciler.apply(desired(FIRST));
        kernel.saves = 0;
        kernel.listed.clear();
        Reconciler.Applied applied = reconciler.apply(desired(FIRST.replace("10.9.0.1", "10.9.0.2")));
        assertThat(applied.written()).isTrue();
        assertThat(kernel.saves).isEqualTo(1);
        assertThat(kernel.listed).containsExactly("filter APP");
        assertThat(rulesOf("APP")).containsExactly("-A APP -d 10.9.0.2/32 -j DROP");
    }

    @Test
    void aWriteNamingManyChainsIsCheckedWithOneMoreDump() throws Exception {
        StringBuilder many = new StringBuilder("*filter\n");
        for (int i = 0; i <= KernelView.CHAINS_LISTED_ONE_BY_ONE; i++) {
            many.append(":C").append(i).append(" - [0:0]\n-A C").append(i).append(" -j RETURN\n");
        }
        Reconciler.Applied applied = reconciler.apply(desired(many.append("COMMIT\n").toString()));
        assertThat(applied.written()).isTrue();
        assertThat(kernel.saves).isEqualTo(2);
        assertThat(kernel.listed).isEmpty();
    }

    @Test
    void aRefusalOnAKernelNobodyChangedIsReportedWithoutPlanningAgain() throws Exception {
        kernel.refuseAtLine = 2;
        assertThatThrownBy(() -> reconciler.apply(desired(FIRST))).isInstanceOf(ApplyException.class)
                .hasMessageContaining("the kernel refused");
        assertThat(kernel.scripts).hasSize(1);
    }

    /** The agent's view, kept beside other writers, as the agent keeps it. */
    private KernelView agentsView() {
        KernelView view = reconciler.view(Family.IPV4);
        view.attributing();
        return view;
    }

    @Test
    void onTheAgentsViewARefusalOnAKernelNobodyChangedIsWrittenOnceMoreThenReported() throws Exception {
        kernel.refuseAtLine = 2;
        kernel.refusals = 2;
        KernelView view = agentsView();
        assertThatThrownBy(() -> reconciler.apply(desired(FIRST), view)).isInstanceOf(ApplyException.class)
                .hasMessageContaining("the kernel refused");
        assertThat(kernel.scripts).hasSize(2);
    }

    /** Another writer's change that came and went between the read and the write (once seen beside foreign writers). */
    @Test
    void onTheAgentsViewARefusalThatDoesNotComeAgainIsNoFailure() throws Exception {
        kernel.refuseAtLine = 2;
        Reconciler.Applied applied = reconciler.apply(desired(FIRST), agentsView());
        assertThat(applied.written()).isTrue();
        assertThat(applied.replans()).isEqualTo(1);
        assertThat(kernel.scripts).hasSize(2);
        assertThat(reconciler.plan(desired(FIRST)).isEmpty()).isTrue();
    }
}
