package io.rampart.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RulesetParser;
import io.rampart.system.Eventually;
import io.rampart.system.Iptables;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The differential test: seeded random rulesets are loaded into a router namespace, hand-made
 * packets are sent into it for real from a sender namespace through a raw socket, and the steps
 * the kernel's own trace ({@code nft -a monitor trace}, after a TRACE rule in raw PREROUTING)
 * reports for each packet must be the tracer's steps, rule by rule, verdict by verdict.
 *
 * <p>Sender {@code a0} 192.0.2.1/24 -- {@code ra} 192.0.2.2/24 router {@code rc}
 * 198.51.100.1/24 -- {@code c0} 198.51.100.2/24 far side. The router forwards; 203.0.113.0/24 has
 * no route. The same for IPv6: 2001:db8:1::1, ::2 / 2001:db8:2::1, ::2, no route to 2001:db8:3::/64.
 * IPv4 and IPv6 packets arrive from the sender (TRACE in raw PREROUTING on {@code ra}); IPv4 and IPv6 packets
 * are also sent by the router itself through its own raw socket (TRACE in raw OUTPUT).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class TraceKernelTest {

    private static final int RULESETS = 8;
    /** Rulesets after those without a nat table and with only some built-in chains (RandomRulesets.partial). */
    private static final int PARTIAL_RULESETS = 3;
    private static final int PACKETS = 40;

    private static final ProcessRunner RUNNER = ProcessRunner.system();
    private static Netns sender;
    private static Netns router;
    private static Netns far;

    @BeforeAll
    static void network() {
        KernelTestSupport.requireKernel();
        sender = Netns.throwaway("trace-a", RUNNER);
        router = Netns.throwaway("trace-r", RUNNER);
        far = Netns.throwaway("trace-c", RUNNER);
        link(sender, "a0", "192.0.2.1/24", "2001:db8:1::1/64", router, "ra", "192.0.2.2/24", "2001:db8:1::2/64");
        link(router, "rc", "198.51.100.1/24", "2001:db8:2::1/64", far, "c0", "198.51.100.2/24", "2001:db8:2::2/64");
        ok(sender.run(List.of("ip", "route", "add", "default", "via", "192.0.2.2"), ""));
        ok(far.run(List.of("ip", "route", "add", "default", "via", "198.51.100.1"), ""));
        ok(sender.run(List.of("ip", "-6", "route", "add", "default", "via", "2001:db8:1::2"), ""));
        ok(far.run(List.of("ip", "-6", "route", "add", "default", "via", "2001:db8:2::1"), ""));
        ok(router.run(List.of("sysctl", "-q", "-w", "net.ipv4.ip_forward=1"), ""));
        ok(router.run(List.of("sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1"), ""));
        // Permanent neighbours: the random rules may drop neighbour discovery, which ip6tables sees.
        neighbour(sender, "a0", "2001:db8:1::2", router, "ra");
        neighbour(router, "ra", "2001:db8:1::1", sender, "a0");
        neighbour(router, "rc", "2001:db8:2::2", far, "c0");
        neighbour(far, "c0", "2001:db8:2::1", router, "rc");
    }

    private static void neighbour(Netns netns, String dev, String address, Netns owner, String ownerDev) {
        String mac = ok(owner.run(List.of("cat", "/sys/class/net/" + ownerDev + "/address"), "")).strip();
        ok(netns.run(List.of("ip", "neigh", "replace", address, "lladdr", mac, "dev", dev, "nud", "permanent"), ""));
    }

    @AfterAll
    static void removeNetwork() {
        for (Netns netns : new Netns[] {sender, router, far}) {
            if (netns != null) {
                netns.close();
            }
        }
    }

    @Test
    void tracerReportsTheKernelsStepsForRandomRulesetsAndPackets() throws Exception {
        differential(Family.IPV4, false);
    }

    @Test
    void tracerReportsTheKernelsStepsForRandomIpv6RulesetsAndPackets() throws Exception {
        differential(Family.IPV6, false);
    }

    @Test
    void tracerReportsTheKernelsStepsForPacketsTheHostSends() throws Exception {
        differential(Family.IPV4, true);
    }

    @Test
    void tracerReportsTheKernelsStepsForIpv6PacketsTheHostSends() throws Exception {
        differential(Family.IPV6, true);
    }

    private static void differential(Family family, boolean local) throws Exception {
        boolean v6 = family == Family.IPV6;
        String f = v6 ? "-6" : "-4";
        Host host = HostFiles.fromIp(ok(router.run(List.of("ip", f, "-j", "addr"), "")),
                ok(router.run(List.of("ip", f, "-j", "route"), "")), true, family);
        List<String> disagreements = new ArrayList<>();
        int compared = 0;
        int agreeing = 0;
        int partialAgreeing = 0;
        RulesetParser parser = new RulesetParser(StandardExtensions.registry(), family, NameDatabase.system());
        for (int seed = 1; seed <= RULESETS + PARTIAL_RULESETS; seed++) {
            RandomRulesets generator = new RandomRulesets(seed, family);
            if (local) {
                generator.tracingOutput("-A OUTPUT -j TRACE");
            }
            if (seed > RULESETS) {
                generator.partial();
            }
            String text = generator.ruleset();
            // Only the tables of this ruleset exist: iptables-restore keeps tables the text does not name.
            ok(router.run(List.of("nft", "flush", "ruleset", v6 ? "ip6" : "ip"), ""));
            ok(router.run(List.of(v6 ? "ip6tables-restore" : "iptables-restore"), text));
            // The file as the tracer reads it offline, and the kernel's live ruleset as trace --netns reads it.
            Map<String, Tracer> tracers = new LinkedHashMap<>();
            tracers.put("file", new Tracer(CompiledRuleset.of(parser.parse(text)), host, Assumptions.none(), false));
            tracers.put("live", new Tracer(CompiledRuleset.of(parser.parse(
                    new Iptables(router, family).saveOfExistingChains())), host, Assumptions.none(), false));
            Map<Integer, Packet> packets = packets(seed, family, local, tracers.get("file"));
            Map<Integer, List<String>> kernel = sendAndRecord(packets, family, local);
            for (Map.Entry<Integer, Packet> p : packets.entrySet()) {
                List<String> theirs = kernel.getOrDefault(p.getKey(), List.of());
                compared++;
                boolean agree = true;
                for (Map.Entry<String, Tracer> tracer : tracers.entrySet()) {
                    List<String> ours = KernelTraceLog.of(tracer.getValue().trace(p.getValue()));
                    if (!ours.equals(theirs)) {
                        agree = false;
                        disagreements.add("seed " + seed + " (" + tracer.getKey() + "), packet "
                                + describe(p.getValue()) + "\n  kernel: " + theirs + "\n  tracer: " + ours);
                    }
                }
                agreeing += agree ? 1 : 0;
                partialAgreeing += agree && seed > RULESETS ? 1 : 0;
            }
            ok(RUNNER.run(router.wrap(List.of("conntrack", "-F")), ""));
            RUNNER.run(router.wrap(List.of("conntrack", "-F", "-f", "ipv6")), "");
        }
        System.out.println("trace differential (" + family + (local ? ", sent by the host" : "") + "): "
                + agreeing + " of " + compared + " packets agree with the kernel ("
                + partialAgreeing + " of " + PARTIAL_RULESETS * PACKETS + " through rulesets without a nat table)");
        assertThat(disagreements).as("%d of %d packets", compared - agreeing, compared).isEmpty();
    }

    /** Packets keyed by their TCP/UDP source port or ICMP echo id, unique within the run. */
    private static Map<Integer, Packet> packets(int seed, Family family, boolean local, Tracer tracer)
            throws TraceInputException {
        boolean v6 = family == Family.IPV6;
        Random random = new Random(1000 + seed + (v6 ? 500 : 0) + (local ? 700 : 0));
        Map<Integer, Packet> out = new LinkedHashMap<>();
        String[] flags = {"SYN", "ACK", "SYN,ACK", "FIN,ACK", "RST", "RST,ACK", "PSH,ACK", "SYN,ECE,CWR", "ACK,ECE",
            "ACK,CWR"};
        String[] sources = local ? (v6 ? new String[] {"2001:db8:1::2", "2001:db8:2::1", "2001:db8:1::77"}
                : new String[] {"192.0.2.2", "198.51.100.1", "192.0.2.77"})
                : (v6 ? new String[] {"2001:db8:1::1", "2001:db8:1::1", "2001:db8:1::1", "2001:db8:1::77"}
                : new String[] {"192.0.2.1", "192.0.2.1", "192.0.2.1", "192.0.2.77"});
        String[] destinations = local ? (v6 ? new String[] {"2001:db8:1::1", "2001:db8:2::2", "2001:db8:2::2",
                "2001:db8:1::2"} : new String[] {"192.0.2.1", "198.51.100.2", "198.51.100.2", "192.0.2.2"})
                : (v6 ? new String[] {"2001:db8:1::2", "2001:db8:2::1", "2001:db8:2::2", "2001:db8:2::2",
                "2001:db8:3::9"} : new String[] {"192.0.2.2", "198.51.100.1", "198.51.100.2", "198.51.100.2",
                "203.0.113.9"});
        String icmp = v6 ? "ipv6-icmp" : "icmp";
        for (int i = 0; i < PACKETS; i++) {
            int key = 20000 + seed * 100 + i;
            String proto = new String[] {"tcp", "tcp", "udp", icmp}[random.nextInt(4)];
            PacketSpec spec = new PacketSpec().set("proto", proto)
                    .set("src", sources[random.nextInt(sources.length)])
                    .set("dst", destinations[random.nextInt(destinations.length)])
                    .set("ttl", new String[] {"64", "64", "2", "1", "200"}[random.nextInt(5)])
                    .set("tos", new String[] {"0", "0", "16", "40", "1", "2", "19"}[random.nextInt(7)])
                    .set("length", new String[] {null, null, v6 ? "80" : "60", "1400"}[random.nextInt(4)]);
            spec.set(local ? "local" : "in", local ? "true" : "ra");
            if (proto.equals(icmp)) {
                // An echo request the router sends itself would be answered, and the reply traced under its id:
                // one to its own address, or one its rules send back to it (NAT), as the tracer sees it.
                boolean self = local && (spec.build(family).dstText().equals("192.0.2.2")
                        || spec.build(family).dstText().equals("2001:db8:1::2"));
                spec.set("icmp_type", self || random.nextInt(3) == 0 ? "echo-reply" : "echo-request");
                if (local && tracer.trace(spec.build(family)).steps().stream().anyMatch(s -> s.chain().equals("INPUT"))) {
                    spec.set("icmp_type", "echo-reply");
                }
            } else {
                spec.set("sport", Integer.toString(key))
                        .set("dport", new String[] {"22", "53", "80", "443", "8080"}[random.nextInt(5)]);
                if (proto.equals("tcp")) {
                    spec.set("tcp_flags", flags[random.nextInt(flags.length)]);
                }
            }
            out.put(key, spec.build(family));
        }
        return out;
    }

    private static Map<Integer, List<String>> sendAndRecord(Map<Integer, Packet> packets, Family family,
                                                            boolean local) throws Exception {
        java.nio.file.Path log = java.nio.file.Files.createTempFile("rampart-trace", ".log");
        // All events, not only traces: the marker tables below are how the test knows what was reported.
        Process monitor = new ProcessBuilder(router.wrap(List.of("nft", "-a", "monitor")))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            reported(log, "rampart_subscribed");
            StringBuilder lines = new StringBuilder();
            ObjectMapper mapper = new ObjectMapper();
            for (Map.Entry<Integer, Packet> e : packets.entrySet()) {
                Packet p = e.getValue();
                Map<String, Object> json = new HashMap<>();
                json.put("src", p.srcText());
                json.put("dst", p.dstText());
                json.put("proto", p.proto());
                json.put("sport", p.sport());
                json.put("dport", p.dport());
                json.put("flags", p.tcpFlags());
                json.put("icmp_type", p.icmpType());
                json.put("id", e.getKey());
                json.put("ttl", p.ttl());
                json.put("tos", p.tos());
                json.put("length", p.length());
                lines.append(mapper.writeValueAsString(json)).append('\n');
            }
            ok((local ? router : sender).run(List.of("python3", "-c", injector()), lines.toString()));
            reported(log, "rampart_sent");
        } finally {
            monitor.destroy();
            monitor.waitFor();
        }
        String output = java.nio.file.Files.readString(log);
        java.nio.file.Files.delete(log);
        Map<String, Map<Integer, String>> positions = new HashMap<>();
        for (Table table : List.of(Table.RAW, Table.MANGLE, Table.NAT, Table.FILTER)) {
            ProcessResult listing = router.run(List.of("nft", "-a", "list", "table", family == Family.IPV6 ? "ip6" : "ip",
                    table.label()), "");
            // A table the ruleset leaves out does not exist, and no packet met it.
            positions.put(table.label(), listing.ok() ? KernelTraceLog.positions(listing.stdout()) : Map.of());
        }
        return KernelTraceLog.steps(output, positions);
    }

    /**
     * Adds and removes an empty inet table named {@code marker}, again until the monitor has
     * written its event (a monitor still subscribing misses it): then the monitor is subscribed,
     * and has written every event the kernel sent before, the packets' traces among them.
     */
    private static void reported(java.nio.file.Path log, String marker) {
        Eventually.await("nft monitor reports table " + marker, Duration.ofSeconds(10), () -> {
            try {
                if (java.nio.file.Files.readString(log).contains("delete table inet " + marker)) {
                    return true;
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            ok(router.run(List.of("nft", "add table inet " + marker + "; delete table inet " + marker), ""));
            return false;
        });
    }

    private static String injector() throws IOException {
        try (InputStream in = TraceKernelTest.class.getResourceAsStream("inject.py")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String describe(Packet p) {
        return TraceJson.packet(p, NameDatabase.builtin()).toString();
    }

    private static void link(Netns left, String leftName, String leftAddress, String leftAddress6, Netns right,
                             String rightName, String rightAddress, String rightAddress6) {
        ok(RUNNER.run(List.of("ip", "link", "add", leftName, "netns", left.name().orElseThrow(), "type", "veth",
                "peer", "name", rightName, "netns", right.name().orElseThrow()), ""));
        ok(left.run(List.of("ip", "addr", "add", leftAddress, "dev", leftName), ""));
        ok(right.run(List.of("ip", "addr", "add", rightAddress, "dev", rightName), ""));
        ok(left.run(List.of("ip", "addr", "add", leftAddress6, "dev", leftName, "nodad"), ""));
        ok(right.run(List.of("ip", "addr", "add", rightAddress6, "dev", rightName, "nodad"), ""));
        ok(left.run(List.of("ip", "link", "set", leftName, "up"), ""));
        ok(right.run(List.of("ip", "link", "set", rightName, "up"), ""));
    }

    private static String ok(ProcessResult result) {
        assertThat(result.ok()).as("%s", result.stderr()).isTrue();
        return result.stdout();
    }
}
