package io.rampart.bench;

import io.rampart.syntax.RulesetSyntaxException;
import io.rampart.syntax.SourcedRuleset;
import io.rampart.trace.Coverage;
import io.rampart.trace.Host;
import io.rampart.trace.capture.CaptureFormatException;
import io.rampart.trace.capture.CaptureReader;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
 * {@code coverage}'s target: a capture of 1,000,000 packets (20,000 TCP connections of 50 packets,
 * a handshake, then data both ways) through 10,000 rules (INPUT accepting established packets,
 * then jumping by source /16 into 20 user chains of address-and-port rules), replayed whole with
 * the tracer: reading the file, decoding, following connections and counting hits (target
 * 200,000 packets/s, so 5 s or less).
 */
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class CoverageBenchmark {

    static final int RULES = 10_000;
    static final int CHAINS = 20;
    static final int CONNECTIONS = 20_000;
    static final int PACKETS_PER_CONNECTION = 50;

    private Coverage.Rules rules;
    private Path capture;

    @Setup
    public void setUp() throws RulesetSyntaxException, IOException {
        Random random = new Random(RuleCorpus.SEED);
        List<int[]> services = new ArrayList<>();
        rules = rules(random, services);
        capture = Files.createTempFile("rampart-coverage", ".pcap");
        writeCapture(capture, random, services);
    }

    @TearDown
    public void tearDown() throws IOException {
        Files.deleteIfExists(capture);
    }

    @Benchmark
    public Coverage.Result coverMillionPackets() throws IOException, CaptureFormatException {
        Coverage coverage = new Coverage(List.of(rules), "eth0");
        try (InputStream in = new BufferedInputStream(Files.newInputStream(capture), 1 << 16)) {
            CaptureReader.read(in, capture.toString(), coverage);
        }
        Coverage.Result result = coverage.result();
        if (result.packets() != (long) CONNECTIONS * PACKETS_PER_CONNECTION) {
            throw new IllegalStateException("replayed " + result.packets() + " packets");
        }
        return result;
    }

    private static Coverage.Rules rules(Random random, List<int[]> services) throws RulesetSyntaxException {
        SourcedRuleset parsed = ChainedFilterTable.parse(CHAINS, ruleLines(random, services));
        return new Coverage.Rules(parsed.ruleset(), (table, index) -> "bench.rules:" + parsed.lineOf(table, index),
                Host.unknown());
    }

    /** The ruleset's rules; {@code services} gets each rule's chain, server address (last two bytes) and port. */
    static List<String> ruleLines(Random random, List<int[]> services) {
        List<String> lines = new ArrayList<>();
        lines.add("-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
        lines.addAll(ChainedFilterTable.jumps(CHAINS));
        for (int n = CHAINS + 1; n < RULES; n++) {
            int c = random.nextInt(CHAINS);
            int host = random.nextInt(65_536);
            int port = 2 + random.nextInt(65_000);
            services.add(new int[] {c, host, port});
            lines.add("-A C" + c + " -d 192.168." + (host >> 8) + "." + (host & 0xff) + "/32 -p tcp -m tcp --dport "
                    + port + (random.nextInt(4) == 0 ? " -j DROP" : " -j ACCEPT"));
        }
        return lines;
    }

    /**
     * The capture: each connection from a client of a chain's /16 to one of that chain's services,
     * its packets interleaved with those of the connections around it as on a busy link.
     */
    static void writeCapture(Path file, Random random, List<int[]> services) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65_535)
                    .putInt(1);
            out.write(header.array());
            int active = 64;
            int[][] connections = new int[active][];
            int[] sent = new int[active];
            int started = 0;
            ByteBuffer frame = ByteBuffer.allocate(16 + 54).order(ByteOrder.BIG_ENDIAN);
            long written = 0;
            while (written < (long) CONNECTIONS * PACKETS_PER_CONNECTION) {
                int slot = random.nextInt(active);
                if (connections[slot] == null || sent[slot] == PACKETS_PER_CONNECTION) {
                    if (started == CONNECTIONS) {
                        continue;
                    }
                    int[] service = services.get(random.nextInt(services.size()));
                    connections[slot] = new int[] {service[0], random.nextInt(65_536), service[1], service[2],
                            32_768 + random.nextInt(28_000)};
                    sent[slot] = 0;
                    started++;
                }
                int[] c = connections[slot];
                int n = sent[slot]++;
                boolean reply = n % 2 == 1;
                int flags = n == 0 ? 0x02 : n == 1 ? 0x12 : 0x18;
                frame.clear();
                frame.order(ByteOrder.LITTLE_ENDIAN).putInt((int) (written / 1000)).putInt((int) (written % 1000))
                        .putInt(54).putInt(54).order(ByteOrder.BIG_ENDIAN);
                frame.put(new byte[12]).putShort((short) 0x0800);
                frame.put((byte) 0x45).put((byte) 0).putShort((short) 40).putInt(0).put((byte) 64).put((byte) 6)
                        .putShort((short) 0);
                int client = 10 << 24 | c[0] << 16 | c[1];
                int server = 192 << 24 | 168 << 16 | c[2];
                frame.putInt(reply ? server : client).putInt(reply ? client : server);
                frame.putShort((short) (reply ? c[3] : c[4])).putShort((short) (reply ? c[4] : c[3])).putInt(n)
                        .putInt(0).put((byte) 0x50).put((byte) flags).putShort((short) 65_535).putInt(0);
                out.write(frame.array(), 0, frame.position());
                written++;
            }
        }
    }
}
