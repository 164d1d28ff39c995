package io.rampart.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.Reconciler;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Applies while other programs write the same tables: their rules stay theirs, ours end as the file says. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BesideOtherWritersKernelTest {

    private Netns netns;

    @BeforeEach
    void start() {
        KernelTestSupport.requireKernel();
        netns = Netns.throwaway("beside", ProcessRunner.system());
    }

    @AfterEach
    void stop() {
        if (netns != null) {
            netns.close();
        }
    }

    private static DesiredState desired(String text) throws RulesetSyntaxException {
        return DesiredState.of(new RulesetParser(StandardExtensions.registry(), Family.IPV4).parseWithLines(text),
                StandardExtensions.registry(), "test.rules");
    }

    private Reconciler reconciler() {
        return new Reconciler(new SystemXtables(netns), StandardExtensions.registry());
    }

    private String save() {
        return new Iptables(netns, Family.IPV4).save();
    }

    /** A version of a file sharing the head of FORWARD: a few rules of its own and a jump to its chain. */
    private static String sharedHeadVersion(int version) {
        StringBuilder text = new StringBuilder("*filter\n:APP - [0:0]\n# rampart: shared FORWARD head\n");
        for (int i = 0; i <= version % 4; i++) {
            text.append("-A FORWARD -s 10.1.").append(version).append('.').append(i + 1).append(" -j ACCEPT\n");
        }
        text.append("-A FORWARD -j APP\n-A APP -d 10.2.").append(version).append(".1 -j DROP\nCOMMIT\n");
        return text.toString();
    }

    @Test
    void successiveVersionsBesideAWriterAtTheHeadOfTheSharedChain() throws Exception {
        ForeignWriter writer = new ForeignWriter(netns, "fw", ForeignWriter.Kind.CHURN, List.of("FORWARD"), 12)
                .start();
        Reconciler reconciler = reconciler();
        int last = 30;
        try {
            for (int version = 1; version <= last; version++) {
                reconciler.apply(desired(sharedHeadVersion(version)));
            }
        } finally {
            writer.stop();
        }
        reconciler.apply(desired(sharedHeadVersion(last)));
        String saved = save();
        assertThat(writer.inKernel(saved)).as("the foreign writer's rules").isEqualTo(writer.believed());
        List<String> ours = saved.lines().filter(l -> l.startsWith("-A FORWARD ") && !l.contains("--comment fw-"))
                .toList();
        assertThat(ours).as("Rampart's rules in FORWARD, at its head").containsExactly(
                "-A FORWARD -s 10.1.30.1/32 -j ACCEPT", "-A FORWARD -s 10.1.30.2/32 -j ACCEPT",
                "-A FORWARD -s 10.1.30.3/32 -j ACCEPT", "-A FORWARD -j APP");
        assertThat(saved.lines().filter(l -> l.startsWith("-A FORWARD ")).limit(4).toList()).isEqualTo(ours);
        assertThat(saved).contains("-A APP -d 10.2.30.1/32 -j DROP\n");
        assertThat(reconciler.plan(desired(sharedHeadVersion(last))).isEmpty()).as("a further apply writes nothing")
                .isTrue();
    }
}
