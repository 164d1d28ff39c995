package io.rampart.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RulesetParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Naming, renaming and the restore scripts of stage, switch and unstage, against an in-memory kernel. */
class StagesTest {

    private static final ExtensionRegistry REGISTRY = StandardExtensions.registry();

    private final ModelXtables kernel = new ModelXtables();
    private final Stages stages = new Stages(kernel, REGISTRY, NameDatabase.system());
    private final Reconciler reconciler = new Reconciler(kernel, REGISTRY);

    private static DesiredState desired(String text) throws Exception {
        return DesiredState.of(new RulesetParser(REGISTRY, Family.IPV4, NameDatabase.system()).parseWithLines(text),
                REGISTRY, "test.rules");
    }

    private static final String HOST = """
            *filter
            :INPUT DROP [0:0]
            :SSH - [0:0]
            # rampart: shared FORWARD tail
            -A INPUT -i lo -j ACCEPT
            -A INPUT -p tcp --dport 22 -j SSH
            -A SSH -s 192.0.2.0/24 -j ACCEPT
            -A FORWARD -j DROP
            COMMIT
            """;

    private static final String WEB = """
            *filter
            :INPUT ACCEPT [0:0]
            :WEB - [0:0]
            -A INPUT -p tcp --dport 80 -j WEB
            -A INPUT -p tcp --dport 81 -g WEB
            -A WEB -j ACCEPT
            COMMIT
            """;

    /** A foreign rule in FORWARD ahead of Rampart's tail block, then the host file applied. */
    private void applyHost() throws Exception {
        kernel.restore(Family.IPV4, "*filter\n-A FORWARD -s 10.9.9.9/32 -j ACCEPT\nCOMMIT\n");
        reconciler.apply(desired(HOST));
    }

    @Test
    void namesFitTheKernelAndLongOnesAreHashedApart() throws Exception {
        assertThat(StageNames.chain("web", "INPUT")).isEqualTo("RS.web.INPUT");
        assertThat(StageNames.chain("abcdefghij", "POSTROUTING")).isEqualTo("RS.abcdefghij.POSTROUTING");
        String first = StageNames.chain("abcdefghij", "a-user-chain-of-28-chars-xyz");
        String second = StageNames.chain("abcdefghij", "a-user-chain-of-28-chars-xyw");
        assertThat(first).startsWith("RS.abcdefghij.~").hasSizeLessThanOrEqualTo(Chain.MAX_NAME_LENGTH)
                .isNotEqualTo(second).isEqualTo(StageNames.chain("abcdefghij", "a-user-chain-of-28-chars-xyz"));
        assertThat(StageNames.chain("web", "~x")).as("a name that looks hashed is hashed").startsWith("RS.web.~")
                .isNotEqualTo("RS.web.~x");
        StageNames.check("a-b_C9");
        for (String bad : List.of("", "abcdefghijk", "we b", "web.1", "wéb")) {
            assertThatThrownBy(() -> StageNames.check(bad)).isInstanceOf(PlanException.class)
                    .hasMessageContaining("1 to 10 letters");
        }
    }

    @Test
    void hooksAreRecognisedOnlyInTheirOwnChain() {
        assertThat(StageNames.hookedStage("-A INPUT -j RS.web.INPUT", "INPUT")).contains("web");
        assertThat(StageNames.hookedStage("-A INPUT -j RS.web.OUTPUT", "INPUT")).isEmpty();
        assertThat(StageNames.hookedStage("-A INPUT -p tcp -j RS.web.INPUT", "INPUT")).isEmpty();
        assertThat(StageNames.hookedStage("-A INPUT -j RS.a.b.INPUT", "INPUT")).isEmpty();
    }

    @Test
    void stagingWritesOnlyTheStagesChainsWithJumpsRenamed() throws Exception {
        applyHost();
        List<String> inputBefore = kernel.rulesOf(Table.FILTER, "INPUT");
        int scripts = kernel.scripts.size();
        stages.stage("web", desired(WEB));

        assertThat(kernel.scripts).as("one restore").hasSize(scripts + 1);
        assertThat(kernel.rulesOf(Table.FILTER, "INPUT")).isEqualTo(inputBefore);
        assertThat(kernel.rulesOf(Table.FILTER, "RS.web.INPUT")).containsExactly(
                "-A RS.web.INPUT -p tcp -m tcp --dport 80 -j RS.web.WEB",
                "-A RS.web.INPUT -p tcp -m tcp --dport 81 -g RS.web.WEB");
        assertThat(kernel.rulesOf(Table.FILTER, "RS.web.WEB")).containsExactly("-A RS.web.WEB -j ACCEPT");
        assertThat(kernel.rulesOf(Table.FILTER, Bookkeeping.CHAIN))
                .contains("-A RAMPART-MANAGED -m comment --comment \"stage web INPUT:ACCEPT:head\"");
        assertThat(reconciler.plan(desired(HOST)).isEmpty()).as("stage chains are not drift").isTrue();
    }

    @Test
    void restagingReplacesTheChainsAndDropsTheOnesTheFileLost() throws Exception {
        stages.stage("web", desired(WEB));
        stages.stage("web", desired("*filter\n:INPUT DROP [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n"));
        assertThat(kernel.has(Table.FILTER, "RS.web.WEB")).isFalse();
        assertThat(kernel.rulesOf(Table.FILTER, "RS.web.INPUT")).containsExactly("-A RS.web.INPUT -j ACCEPT");
        assertThat(kernel.rulesOf(Table.FILTER, Bookkeeping.CHAIN))
                .containsExactly("-A RAMPART-MANAGED -m comment --comment \"stage web INPUT:DROP:head\"");
    }

    @Test
    void theFirstSwitchMovesTheAppliedRulesetIntoAStageAndSwitchingBackRestoresIt() throws Exception {
        applyHost();
        stages.stage("web", desired(WEB));
        int before = kernel.scripts.size();

        Stages.Change outcome = stages.switchTo(Family.IPV4, "web", Stages.DEFAULT_PREVIOUS);
        assertThat(kernel.scripts).hasSize(before + 1);
        assertThat(outcome.captured()).isEqualTo("previous");
        assertThat(kernel.rulesOf(Table.FILTER, "INPUT")).containsExactly("-A INPUT -j RS.web.INPUT");
        assertThat(kernel.policyOf(Table.FILTER, "INPUT")).isEqualTo("ACCEPT");
        assertThat(kernel.rulesOf(Table.FILTER, "FORWARD")).containsExactly("-A FORWARD -s 10.9.9.9/32 -j ACCEPT");
        assertThat(kernel.rulesOf(Table.FILTER, "RS.previous.INPUT")).containsExactly(
                "-A RS.previous.INPUT -i lo -j ACCEPT", "-A RS.previous.INPUT -p tcp -m tcp --dport 22 -j RS.previous.SSH");
        assertThat(kernel.rulesOf(Table.FILTER, "RS.previous.SSH"))
                .containsExactly("-A RS.previous.SSH -s 192.0.2.0/24 -j ACCEPT");
        assertThat(kernel.rulesOf(Table.FILTER, "RS.previous.FORWARD")).containsExactly("-A RS.previous.FORWARD -j DROP");

        stages.switchTo(Family.IPV4, "previous", Stages.DEFAULT_PREVIOUS);
        assertThat(kernel.rulesOf(Table.FILTER, "INPUT")).containsExactly("-A INPUT -j RS.previous.INPUT");
        assertThat(kernel.policyOf(Table.FILTER, "INPUT")).isEqualTo("DROP");
        assertThat(kernel.rulesOf(Table.FILTER, "FORWARD")).as("the tail block's hook goes after the foreign rule")
                .containsExactly("-A FORWARD -s 10.9.9.9/32 -j ACCEPT", "-A FORWARD -j RS.previous.FORWARD");

        Stages.Change again = stages.switchTo(Family.IPV4, "web", Stages.DEFAULT_PREVIOUS);
        assertThat(again.captured()).as("a stage is live: nothing more to capture").isNull();
        assertThat(kernel.rulesOf(Table.FILTER, "INPUT")).containsExactly("-A INPUT -j RS.web.INPUT");
        assertThat(kernel.rulesOf(Table.FILTER, "FORWARD")).containsExactly("-A FORWARD -s 10.9.9.9/32 -j ACCEPT");
        assertThat(kernel.rulesOf(Table.FILTER, "RS.previous.INPUT")).hasSize(2);

        int scripts = kernel.scripts.size();
        assertThat(stages.switchTo(Family.IPV4, "web", Stages.DEFAULT_PREVIOUS).written()).isFalse();
        assertThat(kernel.scripts).hasSize(scripts);
    }

    @Test
    void applyTakesItsChainsBackFromTheLiveStageAndKeepsTheStages() throws Exception {
        applyHost();
        stages.stage("web", desired(WEB));
        stages.switchTo(Family.IPV4, "web", Stages.DEFAULT_PREVIOUS);
        Plan drift = reconciler.plan(desired(HOST));
        assertThat(drift.changes()).extracting(Plan.ChainChange::chain).containsExactly("INPUT", "FORWARD");

        reconciler.apply(desired(HOST));
        assertThat(kernel.rulesOf(Table.FILTER, "INPUT")).hasSize(2).noneMatch(l -> l.contains("RS."));
        assertThat(kernel.rulesOf(Table.FILTER, "FORWARD"))
                .containsExactly("-A FORWARD -s 10.9.9.9/32 -j ACCEPT", "-A FORWARD -j DROP");
        assertThat(stages.list(Family.IPV4)).extracting(StageListing.Stage::name).containsExactly("web", "previous");
        assertThat(reconciler.plan(desired(HOST)).isEmpty()).isTrue();
    }

    @Test
    void aLiveStageCannotBeRemovedNorLoseAHookedChain() throws Exception {
        stages.stage("web", desired(WEB));
        stages.stage("other", desired("*filter\n:OUTPUT DROP [0:0]\nCOMMIT\n"));
        stages.switchTo(Family.IPV4, "web", "before");
        assertThatThrownBy(() -> stages.unstage(Family.IPV4, "web")).isInstanceOf(PlanException.class)
                .hasMessageContaining("is live");
        assertThatThrownBy(() -> stages.stage("web", desired("*filter\n:OUTPUT DROP [0:0]\nCOMMIT\n")))
                .isInstanceOf(PlanException.class).hasMessageContaining("switch to another stage first");

        stages.switchTo(Family.IPV4, "other", "unused");
        assertThat(kernel.rulesOf(Table.FILTER, "INPUT")).isEmpty();
        assertThat(kernel.rulesOf(Table.FILTER, "OUTPUT")).containsExactly("-A OUTPUT -j RS.other.OUTPUT");
        assertThat(kernel.policyOf(Table.FILTER, "OUTPUT")).isEqualTo("DROP");
        stages.unstage(Family.IPV4, "web");
        stages.unstage(Family.IPV4, "before");
        assertThat(kernel.has(Table.FILTER, "RS.web.INPUT")).isFalse();
        assertThat(stages.list(Family.IPV4)).extracting(StageListing.Stage::name).containsExactly("other");
    }

    @Test
    void aFileCannotDeclareAStageChain() {
        assertThatThrownBy(() -> reconciler.apply(desired("*filter\n:RS.web.INPUT - [0:0]\nCOMMIT\n")))
                .isInstanceOf(PlanException.class).hasMessageContaining("belong to staged rulesets");
        assertThat(kernel.scripts).isEmpty();
    }

    @Test
    void unstagingTheLastStageRemovesTheBookkeepingChain() throws Exception {
        stages.stage("web", desired(WEB));
        stages.unstage(Family.IPV4, "web");
        assertThat(kernel.has(Table.FILTER, Bookkeeping.CHAIN)).isFalse();
        assertThat(kernel.has(Table.FILTER, "RS.web.WEB")).isFalse();
    }

    @Test
    void wrongNamesAreInputErrorsAndChangeNothing() throws Exception {
        stages.stage("web", desired(WEB));
        int scripts = kernel.scripts.size();
        assertThatThrownBy(() -> stages.switchTo(Family.IPV4, "nope", "previous"))
                .isInstanceOf(PlanException.class).hasMessageContaining("no stage `nope'");
        assertThatThrownBy(() -> stages.switchTo(Family.IPV4, "web", "web"))
                .isInstanceOf(PlanException.class).hasMessageContaining("--previous");
        assertThatThrownBy(() -> stages.unstage(Family.IPV4, "nope")).isInstanceOf(PlanException.class);
        assertThatThrownBy(() -> stages.stage("bad name", desired(WEB))).isInstanceOf(PlanException.class);
        assertThat(kernel.scripts).hasSize(scripts);
    }

    @Test
    void aRefusedSwitchNamesTheCommandAndChangesNothing() throws Exception {
        stages.stage("web", desired(WEB));
        String before = kernel.save(Family.IPV4);
        kernel.refuseAtLine = 3;
        assertThatThrownBy(() -> stages.switchTo(Family.IPV4, "web", Stages.DEFAULT_PREVIOUS))
                .isInstanceOf(ApplyException.class).hasMessageContaining("the kernel refused `")
                .hasMessageContaining("(nothing was changed)");
        assertThat(kernel.save(Family.IPV4)).isEqualTo(before);
    }

    @Test
    void theListingCountsWhatTheHooksLetIn() throws Exception {
        stages.stage("web", desired(WEB));
        stages.stage("other", desired("*filter\n:OUTPUT DROP [0:0]\nCOMMIT\n*raw\n-A PREROUTING -j ACCEPT\nCOMMIT\n"));
        stages.switchTo(Family.IPV4, "web", Stages.DEFAULT_PREVIOUS);
        kernel.counters.put("-A INPUT -j RS.web.INPUT", "7:420");
        List<StageListing.Stage> list = stages.list(Family.IPV4);
        assertThat(list).extracting(StageListing.Stage::name).containsExactly("other", "web", "previous");
        StageListing.Stage web = list.get(1);
        assertThat(web.live()).isTrue();
        assertThat(web.packets()).isEqualTo(7);
        assertThat(web.bytes()).isEqualTo(420);
        assertThat(web.chains()).extracting(StageListing.StageChain::chain).containsExactly("RS.web.INPUT", "RS.web.WEB");
        assertThat(list.get(0).live()).isFalse();
        assertThat(list.get(0).chains()).extracting(StageListing.StageChain::table).containsExactly(Table.RAW,
                Table.FILTER);
    }
}
