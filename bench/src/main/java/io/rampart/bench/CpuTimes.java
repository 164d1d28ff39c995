package io.rampart.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.Callable;

/**
 * The diff and coverage benchmarks' methods run in one JVM, each round's wall time printed beside the
 * thread's CPU time: on a shared machine the CPU time is what the code costs, the wall time what the
 * machine's load made of it. Usage: {@code java -Xmx2g -cp benchmarks.jar io.rampart.bench.CpuTimes [ROUNDS]}.
 */
public final class CpuTimes {

    private CpuTimes() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        DiffBenchmark diff = new DiffBenchmark();
        diff.setUp();
        time("diffTenThousandRules", rounds, diff::diffTenThousandRules);
        CoverageBenchmark coverage = new CoverageBenchmark();
        coverage.setUp();
        try {
            time("coverMillionPackets", rounds, coverage::coverMillionPackets);
        } finally {
            coverage.tearDown();
        }
    }

    private static void time(String name, int rounds, Callable<?> work) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int round = 1; round <= rounds; round++) {
            long cpu = threads.getCurrentThreadCpuTime();
            long wall = System.nanoTime();
            work.call();
            System.out.printf("%s round %d: %.0f ms wall, %.0f ms CPU (load %s)%n", name, round,
                    (System.nanoTime() - wall) / 1e6, (threads.getCurrentThreadCpuTime() - cpu) / 1e6,
                    java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip());
        }
    }
}
