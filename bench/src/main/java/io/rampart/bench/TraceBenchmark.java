package io.rampart.bench;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import io.rampart.trace.Assumptions;
import io.rampart.trace.CompiledRuleset;
import io.rampart.trace.Host;
import io.rampart.trace.Packet;
import io.rampart.trace.PacketSpec;
import io.rampart.trace.TraceInputException;
import io.rampart.trace.Tracer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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

/**
 * The tracer's targets: one packet through 100,000 rules (under 50 ms warm), and batch tracing
 * through a 1,000-rule ruleset (100,000 packets/s or more on one core).
 */
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class TraceBenchmark {

    static final int BATCH = 10_000;

    private Tracer deep;
    private Packet deepPacket;
    private Tracer corpus;
    private List<Packet> packets;

    @Setup
    public void setUp() throws RulesetSyntaxException, TraceInputException {
        RulesetParser parser = new RulesetParser(StandardExtensions.registry(), Family.IPV4, NameDatabase.system());
        deep = new Tracer(CompiledRuleset.of(parser.parse(missingRules(100_000))), Host.unknown(),
                Assumptions.none(), false);
        deepPacket = packet("192.0.2.1", "198.51.100.1", "tcp", 443);
        corpus = new Tracer(CompiledRuleset.of(parser.parse(corpusRules(1_000, 10))), Host.unknown(),
                Assumptions.none(), false);
        Random random = new Random(RuleCorpus.SEED);
        packets = new ArrayList<>(BATCH);
        String[] protos = {"tcp", "udp", "icmp"};
        for (int i = 0; i < BATCH; i++) {
            packets.add(packet("10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256),
                    "192.0.2." + random.nextInt(256), protos[random.nextInt(3)], 1 + random.nextInt(10_000)));
        }
    }

    /** The benchmark corpus's rules over the built-in chains and {@code chains} user chains they jump to. */
    private static String corpusRules(int count, int chains) {
        StringBuilder b = new StringBuilder("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        for (int i = 0; i < chains; i++) {
            b.append(String.format(":user-%03d - [0:0]%n", i));
        }
        for (String line : RuleCorpus.standard(StandardExtensions.registry()).lines(count, chains)) {
            b.append(line).append('\n');
        }
        return b.append("COMMIT\n").toString();
    }

    /** A filter INPUT chain of rules the packet fails one by one, so it reaches the policy. */
    private static String missingRules(int count) {
        StringBuilder b = new StringBuilder("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        for (int i = 0; i < count; i++) {
            switch (i % 3) {
                case 0 -> b.append("-A INPUT -s 10.").append(i >> 16 & 255).append('.').append(i >> 8 & 255)
                        .append('.').append(i & 255).append(" -j ACCEPT\n");
                case 1 -> b.append("-A INPUT -p tcp -m tcp --dport ").append(1 + i % 400).append(" -j ACCEPT\n");
                default -> b.append("-A INPUT -i eth").append(i % 7 + 1).append(" -p udp -j DROP\n");
            }
        }
        return b.append("COMMIT\n").toString();
    }

    private static Packet packet(String src, String dst, String proto, int port) throws TraceInputException {
        return new PacketSpec().set("in", "eth0").set("src", src).set("dst", dst).set("proto", proto)
                .set("dport", Integer.toString(port)).build(Family.IPV4);
    }

    /** Milliseconds for one packet through 100,000 rules. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Object onePacketThrough100kRules() {
        return deep.trace(deepPacket);
    }

    /** Packets per second through the 1,000-rule corpus ruleset. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public int batchThrough1000Rules() {
        int accepted = 0;
        for (Packet p : packets) {
            accepted += corpus.trace(p).verdict().equals("ACCEPT") ? 1 : 0;
        }
        return accepted;
    }
}
