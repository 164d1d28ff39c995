package io.rampart.bench;

import io.rampart.config.Diagnostic;
import io.rampart.config.RulesetSource;
import io.rampart.model.Family;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the ruleset language and the whole-ruleset checks cost on top of the bare save-format
 * parser: the same {@value #CHAINS} chains of {@value #RULES_PER_CHAIN} rules, read from one file
 * by {@link RulesetSource#load} (language, parsing, checks) and by {@link RulesetParser} alone.
 * The ratio of the two, measured in one run, is the figure to read.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class LanguageBenchmark {

    static final int CHAINS = 500;
    static final int RULES_PER_CHAIN = 40;

    private ExtensionRegistry registry;
    private Path file;

    @Setup
    public void setUp() throws IOException {
        registry = StandardExtensions.registry();
        file = Files.createTempFile("rampart-bench-", ".rules");
        Files.writeString(file, RuleCorpus.standard(registry).ruleset(CHAINS, RULES_PER_CHAIN));
    }

    @TearDown
    public void tearDown() throws IOException {
        Files.deleteIfExists(file);
    }

    /** Read, expand, parse and check the file, as `rampart check' and the first step of apply do. */
    @Benchmark
    public RulesetSource loadAndCheck() {
        RulesetSource source = RulesetSource.load(file, Family.IPV4, registry, Optional.empty(),
                NameDatabase.system());
        if (source.diagnostics().stream().anyMatch(Diagnostic::isError)) {
            throw new IllegalStateException("the benchmark ruleset has errors: " + source.diagnostics().get(0));
        }
        return source;
    }

    /** The save-format parser alone, reading the same file. */
    @Benchmark
    public Object bareParser() throws IOException, RulesetSyntaxException {
        return new RulesetParser(registry, Family.IPV4, NameDatabase.system()).parse(Files.readString(file));
    }
}
