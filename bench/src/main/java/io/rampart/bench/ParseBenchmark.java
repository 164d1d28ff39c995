package io.rampart.bench;

import io.rampart.model.Family;
import io.rampart.model.Rule;
import io.rampart.model.Table;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RuleParser;
import io.rampart.syntax.RulePrinter;
import io.rampart.syntax.RuleSyntaxException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Rules per second through the parser and the canonical printer, on one thread, over the
 * {@link RuleCorpus} of {@value #RULES} filter rules. Each invocation handles the whole corpus, so
 * the scores are rules per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class ParseBenchmark {

    static final int RULES = 100_000;
    static final int USER_CHAINS = 50;

    private List<String> lines;
    private List<Rule> rules;
    private RuleParser parser;
    private RulePrinter printer;

    @Setup
    public void setUp() {
        ExtensionRegistry registry = StandardExtensions.registry();
        RuleCorpus corpus = RuleCorpus.standard(registry);
        lines = corpus.lines(RULES, USER_CHAINS);
        parser = new RuleParser(registry, Family.IPV4, NameDatabase.system());
        printer = new RulePrinter(registry, Family.IPV4);
        rules = RuleCorpus.parseAll(parser, lines);
    }

    /** What canonicalizing a ruleset costs: read each rule, then print it as iptables-save does. */
    @Benchmark
    @OperationsPerInvocation(RULES)
    public void parseAndPrint(Blackhole sink) throws RuleSyntaxException {
        for (String line : lines) {
            for (Rule rule : parser.parseLine(line, Table.FILTER)) {
                sink.consume(printer.print(rule));
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(RULES)
    public void parseOnly(Blackhole sink) throws RuleSyntaxException {
        for (String line : lines) {
            sink.consume(parser.parseLine(line, Table.FILTER));
        }
    }

    @Benchmark
    @OperationsPerInvocation(RULES)
    public void printOnly(Blackhole sink) {
        for (Rule rule : rules) {
            sink.consume(printer.print(rule));
        }
    }
}
