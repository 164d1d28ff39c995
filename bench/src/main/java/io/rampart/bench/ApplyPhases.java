package io.rampart.bench;

import io.rampart.model.Family;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.LiveState;
import io.rampart.reconcile.Plan;
import io.rampart.reconcile.Planner;
import io.rampart.reconcile.Xtables;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.SourcedRuleset;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import io.rampart.system.SystemXtables;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the time of {@code rampart apply} goes, phase by phase, as the command does it: read and
 * parse the file, canonical text of every rule, iptables-save, read the save, plan, iptables-restore.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.rampart.bench.ApplyPhases RULES [CHANGED] [ROUNDS]</pre>
 *
 * Each round makes a throwaway namespace and applies RULES to it (cold: the kernel is empty), again
 * (no-op), then CHANGED when given. The first round runs in a fresh JVM as the command line does;
 * later rounds show the same work once the JIT has compiled it. Times in ms.
 */
public final class ApplyPhases {

    private static final String[] PHASES = {"registry", "parse", "canonical", "save", "live", "plan", "restore", "total"};

    private ApplyPhases() {
    }

    public static void main(String[] args) throws Exception {
        long entered = System.currentTimeMillis();
        if (args.length < 1) {
            System.err.println("usage: ApplyPhases RULES [CHANGED] [ROUNDS]");
            System.exit(2);
        }
        Path rules = Path.of(args[0]);
        Path changed = args.length > 1 ? Path.of(args[1]) : null;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;

        List<String> rows = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            try (Netns netns = Netns.throwaway("bench", ProcessRunner.system())) {
                Xtables xtables = new SystemXtables(netns);
                rows.add(row(round, "cold", apply(rules, xtables)));
                rows.add(row(round, "no-op", apply(rules, xtables)));
                if (changed != null) {
                    rows.add(row(round, "change", apply(changed, xtables)));
                }
            }
        }
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.printf("JVM start to main: %d ms (RuntimeMXBean start time; the launch before it is not counted)%n",
                entered - jvmStart);
        System.out.printf("%-5s %-7s", "round", "step");
        for (String phase : PHASES) {
            System.out.printf(" %9s", phase);
        }
        System.out.println();
        rows.forEach(System.out::println);
    }

    private static String row(int round, String step, long[] millis) {
        StringBuilder row = new StringBuilder(String.format("%-5d %-7s", round, step));
        for (long ms : millis) {
            row.append(String.format(" %9d", ms));
        }
        return row.toString();
    }

    /** One apply as {@code rampart apply} does it, with the time of each phase. */
    private static long[] apply(Path file, Xtables xtables) throws Exception {
        long[] at = new long[PHASES.length];
        long start = System.nanoTime();
        ExtensionRegistry registry = StandardExtensions.registry();
        at[0] = System.nanoTime();
        SourcedRuleset parsed = new RulesetParser(registry, Family.IPV4,
                NameDatabase.system()).parseWithLines(Files.readString(file));
        at[1] = System.nanoTime();
        DesiredState desired = DesiredState.of(parsed, registry, file.toString());
        at[2] = System.nanoTime();
        String saved = xtables.save(Family.IPV4);
        at[3] = System.nanoTime();
        LiveState live = LiveState.parse(saved);
        at[4] = System.nanoTime();
        Plan plan = new Planner(registry).plan(desired, live);
        at[5] = System.nanoTime();
        if (!plan.isEmpty()) {
            Xtables.RestoreResult result = xtables.restore(Family.IPV4, plan.script());
            if (!result.ok()) {
                throw new IllegalStateException("iptables-restore refused: " + result.message());
            }
        }
        at[6] = System.nanoTime();
        at[7] = at[6];
        long[] millis = new long[PHASES.length];
        long previous = start;
        for (int i = 0; i < PHASES.length - 1; i++) {
            millis[i] = (at[i] - previous) / 1_000_000;
            previous = at[i];
        }
        millis[PHASES.length - 1] = (at[7] - start) / 1_000_000;
        return millis;
    }
}
