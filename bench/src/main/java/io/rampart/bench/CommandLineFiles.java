package io.rampart.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The benchmarks' inputs as files, for timing the command line on them: {@code diff-a.rules} and
 * {@code diff-b.rules} ({@link DiffBenchmark}'s two 10,000-rule rulesets), {@code coverage.rules} and
 * {@code coverage.pcap} ({@link CoverageBenchmark}'s ruleset and its 1,000,000-packet capture).
 * Usage: {@code java -cp benchmarks.jar io.rampart.bench.CommandLineFiles DIRECTORY}.
 */
public final class CommandLineFiles {

    private CommandLineFiles() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: CommandLineFiles DIRECTORY");
            System.exit(2);
        }
        Path directory = Files.createDirectories(Path.of(args[0]));
        List<String> diffRules = DiffBenchmark.rules(new Random(RuleCorpus.SEED));
        Files.writeString(directory.resolve("diff-a.rules"), ChainedFilterTable.text(DiffBenchmark.CHAINS, diffRules));
        Files.writeString(directory.resolve("diff-b.rules"),
                ChainedFilterTable.text(DiffBenchmark.CHAINS, DiffBenchmark.changed(diffRules)));
        Random random = new Random(RuleCorpus.SEED);
        List<int[]> services = new ArrayList<>();
        Files.writeString(directory.resolve("coverage.rules"),
                ChainedFilterTable.text(CoverageBenchmark.CHAINS, CoverageBenchmark.ruleLines(random, services)));
        CoverageBenchmark.writeCapture(directory.resolve("coverage.pcap"), random, services);
    }
}
