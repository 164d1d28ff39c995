package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Switching rulesets under traffic. A sender namespace sends UDP to a receiver namespace over a
 * veth pair while the receiver switches twenty times among three rulesets that all accept it, then
 * to one that drops it and back. Every ruleset keeps the INPUT policy DROP, and a rule of the test's
 * own at the end of INPUT counts packets that no ruleset decided on. The kernel's counters must show
 * that every packet the sender sent arrived and was accepted or dropped by exactly one ruleset, none
 * fell through between two, and the dropping ruleset judged exactly the packets of its time.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StageTrafficKernelTest {

    private static final ProcessRunner RUNNER = ProcessRunner.system();
    private static final String SENT = "-A OUTPUT -d 10.77.0.2/32 -p udp -m udp --dport 9";
    private static final String ARRIVED = "-A PREROUTING -d 10.77.0.2/32 -p udp -m udp --dport 9";
    private static final String NEITHER = "-A INPUT -p udp -m udp --dport 9 -m comment --comment neither";
    private static final String DROPPED = "-A RS.block.INPUT -p udp -m udp --dport 9 -j DROP";

    private static Netns sender;
    private static Netns receiver;

    @TempDir
    static Path dir;

    @BeforeAll
    static void link() {
        KernelTestSupport.requireKernel();
        sender = Netns.throwaway("snd", RUNNER);
        receiver = Netns.throwaway("rcv", RUNNER);
        ok(RUNNER.run(List.of("ip", "link", "add", "snd0", "netns", sender.name().orElseThrow(), "type", "veth",
                "peer", "name", "rcv0", "netns", receiver.name().orElseThrow()), ""));
        ok(sender.run(List.of("ip", "addr", "add", "10.77.0.1/24", "dev", "snd0"), ""));
        ok(receiver.run(List.of("ip", "addr", "add", "10.77.0.2/24", "dev", "rcv0"), ""));
        ok(sender.run(List.of("ip", "link", "set", "snd0", "up"), ""));
        ok(receiver.run(List.of("ip", "link", "set", "rcv0", "up"), ""));
        // A fixed neighbour entry: no datagram waits for (or is dropped before) address resolution.
        String mac = ok(receiver.run(List.of("cat", "/sys/class/net/rcv0/address"), "")).strip();
        ok(sender.run(List.of("ip", "neigh", "replace", "10.77.0.2", "lladdr", mac, "dev", "snd0", "nud",
                "permanent"), ""));
        ok(sender.run(List.of("iptables", "-t", "raw", "-A", "OUTPUT", "-d", "10.77.0.2", "-p", "udp",
                "--dport", "9"), ""));
        ok(receiver.run(List.of("iptables", "-t", "raw", "-A", "PREROUTING", "-d", "10.77.0.2", "-p", "udp",
                "--dport", "9"), ""));
        ok(receiver.run(List.of("iptables", "-A", "INPUT", "-p", "udp", "--dport", "9", "-m", "comment",
                "--comment", "neither"), ""));
    }

    @AfterAll
    static void unlink() {
        if (sender != null) {
            sender.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    private static final Map<String, String> RULESETS = Map.of(
            "one", """
                    *filter
                    :INPUT DROP [0:0]
                    -A INPUT -p udp --dport 9 -j ACCEPT
                    COMMIT
                    """,
            "two", """
                    *filter
                    :INPUT DROP [0:0]
                    :COUNTED - [0:0]
                    -A INPUT -p udp -j COUNTED
                    -A INPUT -p udp --dport 9 -m comment --comment two -j ACCEPT
                    -A COUNTED -p udp
                    COMMIT
                    """,
            "three", """
                    *filter
                    :INPUT DROP [0:0]
                    -A INPUT -p udp --dport 9 -m length --length 20:1500 -j ACCEPT
                    COMMIT
                    """,
            "block", """
                    *filter
                    :INPUT DROP [0:0]
                    -A INPUT -p udp --dport 9 -j DROP
                    COMMIT
                    """);

    @Test
    void noPacketIsLostOrJudgedTwiceWhileSwitching() throws Exception {
        for (var ruleset : RULESETS.entrySet()) {
            Path file = dir.resolve(ruleset.getKey() + ".rules");
            Files.writeString(file, ruleset.getValue());
            cli("stage", ruleset.getKey(), file.toString());
        }
        cli("switch", "one");
        Process flood = startFlood();
        try {
            Map<String, Long> counted = awaitMore(receiver, "raw", ARRIVED, 0);
            List<String> cycle = List.of("two", "three", "one");
            for (int i = 0; i < 20; i++) {
                cli("switch", cycle.get(i % cycle.size()));
                counted = awaitMore(receiver, "raw", ARRIVED, counted.get(ARRIVED));
            }

            cli("switch", "block");
            Map<String, Long> blocked = awaitMore(receiver, "filter", DROPPED, 0);
            Map<String, Long> later = awaitMore(receiver, "filter", DROPPED, blocked.get(DROPPED));
            assertThat(accepted(later)).as("nothing is accepted while the dropping ruleset is live")
                    .isEqualTo(accepted(blocked)).isPositive();

            cli("switch", "one");
            awaitMore(receiver, "raw", ARRIVED, awaitMore(receiver, "raw", ARRIVED, 0).get(ARRIVED));
        } finally {
            flood.destroy();
            flood.waitFor();
        }
        Map<String, Long> filter = settled(receiver, "filter");
        long sent = settled(sender, "raw").get(SENT);
        long arrived = settled(receiver, "raw").get(ARRIVED);
        long dropped = filter.get(DROPPED);
        assertThat(filter.get(NEITHER)).as("packets no ruleset decided on").isZero();
        assertThat(filter.get(":INPUT")).as("packets that met the INPUT policy").isZero();
        assertThat(arrived).as("arrived of sent").isEqualTo(sent);
        assertThat(accepted(filter) + dropped).as("accepted and dropped of arrived").isEqualTo(arrived);
        assertThat(dropped).isPositive();
        for (String name : List.of("one", "two", "three")) {
            assertThat(filter).as("ruleset " + name + " saw traffic")
                    .anySatisfy((line, packets) -> {
                        assertThat(line).startsWith("-A RS." + name + ".INPUT").endsWith("-j ACCEPT");
                        assertThat(packets).isPositive();
                    });
        }
        assertThat(filter.get("-A RS.two.COUNTED -p udp")).isPositive();

        JsonNode stages = new ObjectMapper().readTree(cli("stages", "--json"));
        Map<String, JsonNode> byName = new HashMap<>();
        stages.get("stages").forEach(s -> byName.put(s.get("name").asText(), s));
        assertThat(byName).containsOnlyKeys("one", "two", "three", "block", "previous");
        assertThat(byName.get("one").get("live").asBoolean()).isTrue();
        assertThat(byName.get("one").get("packets").asLong()).isPositive()
                .isEqualTo(filter.get("-A INPUT -j RS.one.INPUT"));
        assertThat(byName.get("block").get("live").asBoolean()).isFalse();
        assertThat(byName.get("block").get("packets").asLong()).isZero();
    }

    private static long accepted(Map<String, Long> filter) {
        ToLongFunction<Map.Entry<String, Long>> packets = Map.Entry::getValue;
        return filter.entrySet().stream()
                .filter(e -> e.getKey().startsWith("-A RS.") && e.getKey().endsWith("-j ACCEPT"))
                .mapToLong(packets).sum();
    }

    /** The sender: a JVM of its own in the sender namespace, running {@link UdpFlood}. */
    private static Process startFlood() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes = Path.of(UdpFlood.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        return sender.start(List.of(java, "-XX:TieredStopAtLevel=1", "-cp", classes, UdpFlood.class.getName(),
                "10.77.0.2", "9"));
    }

    /** How often to read counters before giving up on traffic that should be flowing. */
    private static final int READS = 3_000;

    /** Reads the counters until {@code rule} has counted more than {@code than} packets. */
    private static Map<String, Long> awaitMore(Netns netns, String table, String rule, long than) {
        for (int read = 0; read < READS; read++) {
            Map<String, Long> counted = counters(netns, table);
            if (counted.getOrDefault(rule, 0L) > than) {
                return counted;
            }
        }
        throw new AssertionError("no more packets reached `" + rule + "' in " + READS + " reads of the counters");
    }

    /** Counters once they stopped moving: the last packets have been through every hook. */
    private static Map<String, Long> settled(Netns netns, String table) {
        Map<String, Long> before = counters(netns, table);
        for (int read = 0; read < READS; read++) {
            Map<String, Long> now = counters(netns, table);
            if (now.equals(before)) {
                return now;
            }
            before = now;
        }
        throw new AssertionError("the counters of " + table + " kept moving after the sender stopped");
    }

    /** Packets per rule line (and per built-in chain's policy, as {@code :CHAIN}) from iptables-save -c. */
    private static Map<String, Long> counters(Netns netns, String table) {
        Map<String, Long> counted = new HashMap<>();
        for (String line : ok(netns.run(List.of("iptables-save", "-c", "-t", table), "")).split("\n")) {
            int close = line.indexOf(']');
            int open = line.indexOf('[');
            if (line.startsWith("[") && close > 0) {
                counted.merge(line.substring(close + 2), Long.parseLong(line.substring(1, line.indexOf(':'))),
                        Long::sum);
            } else if (line.startsWith(":") && open > 0 && !line.contains(" - [")) {
                counted.put(line.substring(0, line.indexOf(' ')), Long.parseLong(
                        line.substring(open + 1, line.indexOf(':', open))));
            }
        }
        return counted;
    }

    private static String cli(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--netns";
        all[args.length + 1] = receiver.name().orElseThrow();
        Run run = Run.of(all);
        assertThat(run.exitCode()).as(String.join(" ", args) + ": " + run.err()).isZero();
        return run.out();
    }

    private static String ok(ProcessResult result) {
        assertThat(result.ok()).as("%s", result.stderr()).isTrue();
        return result.stdout();
    }
}
