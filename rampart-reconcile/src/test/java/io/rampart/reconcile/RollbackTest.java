package io.rampart.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.KernelModel;
import io.rampart.syntax.RulesetParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Planning an apply, simulating it, and rolling it back brings the touched chains back and keeps the rest. */
class RollbackTest {

    private static final String BEFORE = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :DOCKER - [0:0]
            :OLD - [0:0]
            :RAMPART-MANAGED - [0:0]
            -A INPUT -i lo -j ACCEPT
            -A FORWARD -j DOCKER
            -A FORWARD -j OLD
            -A DOCKER -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j ACCEPT
            -A OLD -s 192.0.2.1/32 -j DROP
            -A RAMPART-MANAGED -m comment --comment OLD
            COMMIT
            """;

    private static final String WANTED = """
            *filter
            :INPUT DROP [0:0]
            :SSH - [0:0]
            -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A INPUT -p tcp --dport 22 -j SSH
            -A SSH -s 198.51.100.0/24 -j ACCEPT
            COMMIT
            """;

    private static Plan plan(String saved) throws Exception {
        return plan(WANTED, saved);
    }

    private static Plan plan(String wanted, String saved) throws Exception {
        DesiredState desired = DesiredState.of(new RulesetParser(StandardExtensions.registry(), Family.IPV4,
                NameDatabase.system())
                .parseWithLines(wanted), StandardExtensions.registry(), "host.rules");
        return new Planner(StandardExtensions.registry()).plan(desired, LiveState.parse(saved));
    }

    @Test
    void rollbackRestoresTouchedChainsAndKeepsForeignChanges() throws Exception {
        Plan plan = plan(BEFORE);
        String applied = KernelModel.after(BEFORE, plan.script());
        assertThat(applied).contains(":INPUT DROP", ":SSH -").doesNotContain(":OLD", "-j OLD");
        // Another tool changes its own chain while the confirmation is pending.
        String foreign = applied.replace("--dport 80 -j ACCEPT", "--dport 8080 -j ACCEPT");

        String rollback = Rollback.script(plan, BEFORE, foreign);
        LiveState back = LiveState.parse(KernelModel.after(foreign, rollback));
        LiveState was = LiveState.parse(BEFORE);
        LiveState.LiveTable filter = back.table(io.rampart.model.Table.FILTER).orElseThrow();
        LiveState.LiveTable wasFilter = was.table(io.rampart.model.Table.FILTER).orElseThrow();
        for (String chain : new String[] {"INPUT", "FORWARD", "OLD", "RAMPART-MANAGED"}) {
            assertThat(filter.rulesOf(chain)).as(chain).isEqualTo(wasFilter.rulesOf(chain));
        }
        assertThat(filter.policyOf("INPUT")).isEqualTo(io.rampart.model.Policy.ACCEPT);
        assertThat(filter.has("SSH")).isFalse();
        assertThat(filter.rulesOf("DOCKER")).containsExactly(
                "-A DOCKER -d 172.17.0.2/32 -p tcp -m tcp --dport 8080 -j ACCEPT");
    }

    @Test
    void nothingToUndoWhenTheKernelHoldsTheChainsAsBefore() throws Exception {
        Plan plan = plan(BEFORE);
        assertThat(Rollback.script(plan, BEFORE, BEFORE)).isEmpty();
    }

    @Test
    void aSharedChainGetsItsOldBlockBackAndKeepsWhatAnotherToolDidSince() throws Exception {
        String before = """
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                :DOCKER-ISOLATION - [0:0]
                :DOCKER-USER - [0:0]
                -A FORWARD -j DOCKER-USER
                -A FORWARD -o docker0 -j ACCEPT
                COMMIT
                """;
        String shared = """
                *filter
                # rampart: shared FORWARD head
                -A FORWARD -s 192.0.2.0/24 -j DROP
                COMMIT
                """;
        Plan plan = plan(shared, before);
        String applied = KernelModel.after(before, plan.script());
        assertThat(LiveState.parse(applied).table(io.rampart.model.Table.FILTER).orElseThrow().rulesOf("FORWARD"))
                .containsExactly("-A FORWARD -s 192.0.2.0/24 -j DROP", "-A FORWARD -j DOCKER-USER",
                        "-A FORWARD -o docker0 -j ACCEPT");
        // Docker puts a rule at the head and one at the tail, and takes one of its own out.
        String now = applied.replace("-A FORWARD -s 192.0.2.0/24 -j DROP\n",
                        "-A FORWARD -j DOCKER-ISOLATION\n-A FORWARD -s 192.0.2.0/24 -j DROP\n")
                .replace("-A FORWARD -o docker0 -j ACCEPT\n", "-A FORWARD -i docker0 -j ACCEPT\n");

        String back = KernelModel.after(now, Rollback.script(plan, before, now));
        assertThat(LiveState.parse(back).table(io.rampart.model.Table.FILTER).orElseThrow().rulesOf("FORWARD"))
                .containsExactly("-A FORWARD -j DOCKER-ISOLATION", "-A FORWARD -j DOCKER-USER",
                        "-A FORWARD -i docker0 -j ACCEPT");
        assertThat(back).doesNotContain("RAMPART-MANAGED");
    }

    @Test
    void changesSinceTheApplyAreDoneAgainOnTheOldChain() {
        List<String> before = List.of("a", "b", "c");
        List<String> applied = List.of("a", "x", "c");
        assertThat(Rollback.withChangesSince(before, applied, applied)).isEqualTo(before);
        assertThat(Rollback.withChangesSince(before, applied, before)).isEqualTo(before);
        assertThat(Rollback.withChangesSince(before, applied, List.of("h", "a", "x", "c", "t")))
                .containsExactly("h", "a", "b", "c", "t");
        assertThat(Rollback.withChangesSince(before, applied, List.of("x", "c"))).containsExactly("b", "c");
        assertThat(Rollback.withChangesSince(before, applied, List.of("a", "x", "m", "c")))
                .containsExactly("a", "m", "b", "c");
    }

    @Test
    void simulationFollowsPositionalCommands() {
        String saved = "*filter\n:INPUT ACCEPT [0:0]\n:X - [0:0]\n-A INPUT -j X\n-A X -j ACCEPT\nCOMMIT\n";
        String script = "*filter\n:Y - [0:0]\n-I INPUT 1 -j Y\n-R INPUT 2 -j RETURN\n-A Y -j DROP\n-P INPUT DROP\n"
                + "-F X\n-X X\nCOMMIT\n";
        assertThat(KernelModel.after(saved, script)).isEqualTo(
                "*filter\n:INPUT DROP [0:0]\n:Y - [0:0]\n-A INPUT -j Y\n-A INPUT -j RETURN\n-A Y -j DROP\nCOMMIT\n");
    }
}
