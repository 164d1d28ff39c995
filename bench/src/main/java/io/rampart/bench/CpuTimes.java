package io.rampart.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The diff, dead-rule and coverage benchmarks' methods run in one JVM, each round's wall time printed
 * beside the thread's CPU time: on a shared machine the CPU time is what the code costs, the wall time
 * what the machine's load made of it. Usage: {@code java -Xmx2g -cp benchmarks.jar io.rampart.bench.CpuTimes
 * [ROUNDS [METHOD...]]}, every method but the 100,000-rule analysis when none is named.
 */
public final class CpuTimes {

    private CpuTimes() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        List<String> named = args.length > 1 ? List.of(args).subList(1, args.length)
                : List.of("diffTenThousandRules", "deadRulesTenThousandRules", "deadRulesTenThousandRulesInOneChain",
                        "coverMillionPackets");
        DiffBenchmark diff = new DiffBenchmark();
        diff.setUp();
        diff.setUpDeadRules();
        Map<String, Callable<?>> methods = new LinkedHashMap<>();
        methods.put("diffTenThousandRules", diff::diffTenThousandRules);
        methods.put("deadRulesTenThousandRules", diff::deadRulesTenThousandRules);
        methods.put("deadRulesTenThousandRulesInOneChain", diff::deadRulesTenThousandRulesInOneChain);
        methods.put("deadRulesHundredThousandRulesInTenThousandChains",
                diff::deadRulesHundredThousandRulesInTenThousandChains);
        for (String name : named) {
            if (methods.containsKey(name)) {
                time(name, rounds, methods.get(name));
            }
        }
        if (named.contains("coverMillionPackets")) {
            CoverageBenchmark coverage = new CoverageBenchmark();
            coverage.setUp();
            try {
                time("coverMillionPackets", rounds, coverage::coverMillionPackets);
            } finally {
                coverage.tearDown();
            }
        }
    }

    private static void time(String name, int rounds, Callable<?> work) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int round = 1; round <= rounds; round++) {
            long cpu = threads.getCurrentThreadCpuTime();
            long wall = System.nanoTime();
            String size;
            try {
                Object result = work.call();
                size = result instanceof java.util.Collection<?> c ? ", " + c.size() + " results" : "";
            } catch (io.rampart.analysis.AnalysisBoundException e) {
                size = ", stopped: " + e.getMessage();
            }
            System.out.printf("%s round %d: %.0f ms wall, %.0f ms CPU%s (load %s)%n", name, round,
                    (System.nanoTime() - wall) / 1e6, (threads.getCurrentThreadCpuTime() - cpu) / 1e6, size,
                    java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip());
        }
    }
}
