package io.rampart.bench;

import io.rampart.model.Family;
import io.rampart.model.Ruleset;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetPrinter;
import io.rampart.syntax.RulesetSyntaxException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The heap a large {@link Ruleset} keeps alive ({@value #CHAINS} user chains of
 * {@value #RULES_PER_CHAIN} rules in the filter table), and the time to read and print it back as
 * iptables-save text; or the same of the file given as the argument. A plain program rather than
 * a JMH benchmark: retained size is one measurement of a live object graph, not a rate.
 */
public final class RetainedHeap {

    static final int CHAINS = 1_000;
    static final int RULES_PER_CHAIN = 100;
    static final int RULES = CHAINS * RULES_PER_CHAIN;
    /** Enough rounds for the JIT to compile the parser and printer; the best one is reported. */
    private static final int TIMED_ROUNDS = 8;

    private RetainedHeap() {
    }

    /** Measures the corpus's ruleset, or the iptables-save text of the file named (bench/ruleset.awk's). */
    public static void main(String[] args) throws RulesetSyntaxException, InterruptedException, IOException {
        ExtensionRegistry registry = StandardExtensions.registry();
        RulesetParser parser = new RulesetParser(registry, Family.IPV4, NameDatabase.system());
        RulesetPrinter printer = new RulesetPrinter(registry, Family.IPV4);
        String text;
        if (args.length > 0) {
            text = Files.readString(Path.of(args[0]));
            System.out.printf("file %s: %,d characters%n", args[0], text.length());
        } else {
            RuleCorpus corpus = RuleCorpus.standard(registry);
            text = corpus.ruleset(CHAINS, RULES_PER_CHAIN);
            System.out.printf("corpus: %,d rules in %,d user chains, %,d characters; optional extensions used: %s%n",
                    RULES, CHAINS, text.length(), corpus.extensionsUsed().isEmpty() ? "none" : corpus.extensionsUsed());
        }

        long bestNanos = Long.MAX_VALUE;
        for (int round = 0; round < TIMED_ROUNDS; round++) {
            long start = System.nanoTime();
            Ruleset ruleset = parser.parse(text);
            String printed = printer.print(ruleset);
            long elapsed = System.nanoTime() - start;
            if (round == 0 && args.length == 0) {
                check(ruleset, printed);
            }
            bestNanos = Math.min(bestNanos, elapsed);
        }
        int rules = parser.parse(text).ruleCount();
        System.out.printf("parse + print: best of %d rounds %.1f ms, %,.0f rules/s%n", TIMED_ROUNDS,
                bestNanos / 1e6, rules / (bestNanos / 1e9));

        // The text and every class and static table the parser touches are already live, so the
        // difference below is the ruleset alone.
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(memory);
        Ruleset ruleset = parser.parse(text);
        long after = usedAfterGc(memory);
        Reference.reachabilityFence(ruleset);
        long retained = after - before;
        System.out.printf("retained heap: %.1f MB (10^6 bytes) for %,d rules, %,d bytes per rule%n",
                retained / 1e6, ruleset.ruleCount(), retained / ruleset.ruleCount());
    }

    private static void check(Ruleset ruleset, String printed) {
        if (ruleset.ruleCount() != RULES) {
            throw new IllegalStateException("the generated ruleset has " + ruleset.ruleCount() + " rules, not "
                    + RULES);
        }
        long lines = printed.chars().filter(c -> c == '\n').count();
        long expected = RULES + CHAINS + 3 + 2;
        if (lines != expected) {
            throw new IllegalStateException("the printed ruleset has " + lines + " lines, not " + expected);
        }
    }

    /** Used heap once repeated full collections have freed everything unreachable. */
    private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
