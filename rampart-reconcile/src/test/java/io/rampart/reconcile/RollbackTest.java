package io.rampart.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RulesetParser;
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
        DesiredState desired = DesiredState.of(new RulesetParser(StandardExtensions.registry(), Family.IPV4)
                .parseWithLines(WANTED), StandardExtensions.registry(), "host.rules");
        return new Planner(StandardExtensions.registry()).plan(desired, LiveState.parse(saved));
    }

    @Test
    void rollbackRestoresTouchedChainsAndKeepsForeignChanges() throws Exception {
        Plan plan = plan(BEFORE);
        String applied = RestoreSimulation.after(BEFORE, plan.script());
        assertThat(applied).contains(":INPUT DROP", ":SSH -").doesNotContain(":OLD", "-j OLD");
        // Another tool changes its own chain while the confirmation is pending.
        String foreign = applied.replace("--dport 80 -j ACCEPT", "--dport 8080 -j ACCEPT");

        String rollback = Rollback.script(plan, LiveState.parse(BEFORE), LiveState.parse(foreign));
        LiveState back = LiveState.parse(RestoreSimulation.after(foreign, rollback));
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
        assertThat(Rollback.script(plan, LiveState.parse(BEFORE), LiveState.parse(BEFORE))).isEmpty();
    }

    @Test
    void simulationFollowsPositionalCommands() {
        String saved = "*filter\n:INPUT ACCEPT [0:0]\n:X - [0:0]\n-A INPUT -j X\n-A X -j ACCEPT\nCOMMIT\n";
        String script = "*filter\n:Y - [0:0]\n-I INPUT 1 -j Y\n-R INPUT 2 -j RETURN\n-A Y -j DROP\n-P INPUT DROP\n"
                + "-F X\n-X X\nCOMMIT\n";
        assertThat(RestoreSimulation.after(saved, script)).isEqualTo(
                "*filter\n:INPUT DROP [0:0]\n:Y - [0:0]\n-A INPUT -j Y\n-A INPUT -j RETURN\n-A Y -j DROP\nCOMMIT\n");
    }
}
