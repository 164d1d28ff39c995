package io.rampart.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Table;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The guard's dump and the listings around a write, on the in-memory kernel. */
class CheckedXtablesTest {

    private final ModelXtables kernel = new ModelXtables();
    private final List<String> guardedDumps = new ArrayList<>();
    private final CheckedXtables checked = new CheckedXtables(kernel, (saved, script, write) -> {
        guardedDumps.add(saved);
        return write.get();
    });

    @Test
    void listingsBeforeAWriteComeFromADumpTheGuardIsGivenAndAfterItFromTheKernel() {
        kernel.restore(Family.IPV4, "*filter\n:APP - [0:0]\n-A APP -j RETURN\nCOMMIT\n");
        kernel.saves = 0;
        try (Xtables.Hold held = checked.hold(Family.IPV4)) {
            assertThat(checked.listChain(Family.IPV4, Table.FILTER, "APP")).contains("-N APP\n-A APP -j RETURN\n");
            assertThat(kernel.saves).isEqualTo(1);
            assertThat(kernel.listed).isEmpty();
            checked.restore(Family.IPV4, "*filter\n-A APP -j ACCEPT\nCOMMIT\n");
            assertThat(guardedDumps).singleElement().asString().contains("-A APP -j RETURN").doesNotContain("-A APP -j ACCEPT");
            assertThat(checked.listChain(Family.IPV4, Table.FILTER, "APP"))
                    .contains("-N APP\n-A APP -j RETURN\n-A APP -j ACCEPT\n");
            assertThat(kernel.saves).isEqualTo(1);
            assertThat(kernel.listed).containsExactly("filter APP");
        }
        // The next apply plans from what it lists: a dump again, which its guard gets.
        try (Xtables.Hold held = checked.hold(Family.IPV4)) {
            checked.listChain(Family.IPV4, Table.FILTER, "APP");
            assertThat(kernel.saves).isEqualTo(2);
            checked.restore(Family.IPV4, "*filter\n-D APP -j ACCEPT\nCOMMIT\n");
            assertThat(guardedDumps.get(1)).contains("-A APP -j ACCEPT");
        }
    }

    /** A view behind the guard lists what was written, so that the next write's listings give the guard a fresh dump. */
    @Test
    void aGuardedWriteDoesNotNameItsWriter() {
        kernel.namesWriters = true;
        kernel.restore(Family.IPV4, "*filter\n:APP - [0:0]\nCOMMIT\n");
        checked.save(Family.IPV4);
        Xtables.RestoreResult result = checked.restore(Family.IPV4, "*filter\n-A APP -j ACCEPT\nCOMMIT\n");
        assertThat(result.ok()).isTrue();
        assertThat(result.writer()).isEmpty();
        assertThat(kernel.restore(Family.IPV4, "*filter\n-A APP -j RETURN\nCOMMIT\n").writer()).isPresent();
    }
}
