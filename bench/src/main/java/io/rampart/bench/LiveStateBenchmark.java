package io.rampart.bench;

import io.rampart.model.Family;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.LiveState;
import io.rampart.reconcile.Plan;
import io.rampart.reconcile.PlanException;
import io.rampart.reconcile.Planner;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@code apply} does with the kernel's dump at 100,000 rules ({@value RetainedHeap#CHAINS} user
 * chains of {@value RetainedHeap#RULES_PER_CHAIN}, the corpus's iptables-save text): reading it
 * ({@code LiveState.parse}, rules not parsed), and planning against it, once for the same rules
 * (the records of a first apply) and once for a file in which every hundredth rule differs.
 */
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class LiveStateBenchmark {

    private String saved;
    private LiveState live;
    private Planner planner;
    private DesiredState same;
    private DesiredState changed;

    @Setup
    public void setUp() throws RulesetSyntaxException {
        ExtensionRegistry registry = StandardExtensions.registry();
        saved = RuleCorpus.standard(registry).ruleset(RetainedHeap.CHAINS, RetainedHeap.RULES_PER_CHAIN);
        live = LiveState.parse(saved);
        planner = new Planner(registry);
        RulesetParser parser = new RulesetParser(registry, Family.IPV4, NameDatabase.system());
        same = DesiredState.of(parser.parseWithLines(saved), registry, "same.rules");
        StringBuilder edited = new StringBuilder();
        int line = 0;
        for (String text : saved.split("\n")) {
            // A rule that drops instead of accepting, or the other way round, every hundredth rule.
            boolean edit = text.startsWith("-A ") && ++line % 100 == 0;
            edited.append(edit ? swapVerdict(text) : text).append('\n');
        }
        changed = DesiredState.of(parser.parseWithLines(edited.toString()), registry, "changed.rules");
    }

    private static String swapVerdict(String rule) {
        return rule.endsWith(" -j ACCEPT") ? rule.replace(" -j ACCEPT", " -j DROP")
                : rule.endsWith(" -j DROP") ? rule.replace(" -j DROP", " -j ACCEPT") : rule;
    }

    @Benchmark
    public LiveState readLive() {
        return LiveState.parse(saved);
    }

    @Benchmark
    public Plan planSameRules() throws PlanException {
        return planner.plan(same, live);
    }

    @Benchmark
    public Plan planChangedRules() throws PlanException {
        return planner.plan(changed, live);
    }
}
