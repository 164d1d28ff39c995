package io.rampart.bench;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import io.rampart.config.FamilyRuleset;
import io.rampart.config.RulesetSource;
import io.rampart.config.check.RulesetChecker;
import io.rampart.model.Family;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What reading a ruleset file costs the JVM, as {@code rampart check}, {@code plan} and {@code apply}
 * read it ({@link RulesetSource#load}: the language, the rule parser, the whole-ruleset checks),
 * in the CPU time of the reading thread and the bytes it allocated, which a busy machine disturbs
 * far less than wall time, beside the wall time and the CPU time of the whole process (the JIT
 * compiles beside the reading, on the other cores); then the whole-ruleset checks alone, again on
 * the parsed ruleset.
 *
 * <pre>java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp bench/target/benchmarks.jar io.rampart.bench.FileReadingCost FILE [ROUNDS]</pre>
 *
 * The first round is what a command pays in a fresh JVM; the later ones show the same work once
 * the JIT has compiled it.
 */
public final class FileReadingCost {

    private FileReadingCost() {
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: FileReadingCost FILE [ROUNDS]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        ThreadMXBean thread = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        OperatingSystemMXBean process = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ExtensionRegistry registry = StandardExtensions.registry();
        RulesetSource source = null;
        for (int round = 1; round <= rounds; round++) {
            long wall = System.nanoTime();
            long processCpu = process.getProcessCpuTime();
            long cpu = thread.getCurrentThreadCpuTime();
            long allocated = thread.getCurrentThreadAllocatedBytes();
            source = RulesetSource.load(file, Family.IPV4, registry, Optional.empty(), NameDatabase.system());
            report("read and check", round, thread, cpu, allocated, source.diagnostics().size());
            System.out.printf("%-14s round %d: %5d ms wall, %5d ms CPU of the process%n", "", round,
                    (System.nanoTime() - wall) / 1_000_000, (process.getProcessCpuTime() - processCpu) / 1_000_000);
        }
        FamilyRuleset ruleset = source.families().get(Family.IPV4);
        for (int round = 1; round <= rounds; round++) {
            long cpu = thread.getCurrentThreadCpuTime();
            long allocated = thread.getCurrentThreadAllocatedBytes();
            int findings = new RulesetChecker(registry).check(ruleset.ruleset(), ruleset).size();
            report("checks alone", round, thread, cpu, allocated, findings);
        }
    }

    private static void report(String what, int round, ThreadMXBean thread, long cpu, long allocated, int findings) {
        System.out.printf("%-14s round %d: %5d ms CPU, %5d MB allocated, %d findings%n", what, round,
                (thread.getCurrentThreadCpuTime() - cpu) / 1_000_000,
                (thread.getCurrentThreadAllocatedBytes() - allocated) / 1_000_000, findings);
    }
}
