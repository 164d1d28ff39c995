package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.system.Eventually;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import io.rampart.trace.capture.CaptureReader;
import io.rampart.trace.capture.FrameDecoder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel counts, rule by rule, the packets real traffic matched while tcpdump captured them;
 * {@code rampart coverage} of that capture through the same ruleset must count the same.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CoverageKernelTest {

    private static final String RULES = """
            *filter both
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT DROP [0:0]
            -A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT
            -A INPUT -m conntrack --ctstate RELATED -j ACCEPT
            -A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT
            -A INPUT -p udp --dport 9 -j DROP
            -A INPUT -p udp --dport 9999 -j DROP
            -A INPUT -p tcp --dport 8080 -j ACCEPT
            -A INPUT -m conntrack --ctstate NEW -j ACCEPT
            -A OUTPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT
            -A OUTPUT -m conntrack --ctstate RELATED -j ACCEPT
            -A OUTPUT -m conntrack --ctstate NEW -j ACCEPT
            COMMIT
            """;

    private final List<Netns> namespaces = new ArrayList<>();
    private Process tcpdump;
    private Process server;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        for (Process p : new Process[] {tcpdump, server}) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
        namespaces.forEach(Netns::close);
    }

    private static void ok(Netns netns, String... command) {
        ProcessResult result = netns.run(List.of(command), "");
        if (!result.ok()) {
            fail(String.join(" ", command) + ": " + result.stderr());
        }
    }

    @Test
    void perRuleHitsAreTheKernelsCounters() throws Exception {
        KernelTestSupport.requireTools("tcpdump", "ping");
        Netns[] pair = pair();
        Netns a = pair[0];
        Netns b = pair[1];
        Path rules = dir.resolve("host.rules");
        Files.writeString(rules, RULES);
        Run expand = Run.of("check", "--expand", rules.toString());
        String[] families = expand.out().split("# ip6tables\n");
        ok(b, "sh", "-c", "printf '%s' '" + families[0].replace("# iptables\n", "") + "' | iptables-restore");
        ok(b, "sh", "-c", "printf '%s' '" + families[1].substring(0, families[1].lastIndexOf("COMMIT") + 6)
                + "\n' | ip6tables-restore");

        Path capture = dir.resolve("traffic.pcap");
        tcpdump = b.start(List.of("tcpdump", "-i", "any", "-U", "-w", capture.toString()));
        awaitListening(tcpdump);
        ok(a, "ping", "-q", "-c", "3", "-i", "0.2", "10.9.0.2");
        ok(a, "ping", "-q", "-6", "-c", "3", "-i", "0.2", "2001:db8:9::2");
        ok(b, "ping", "-q", "-c", "2", "-i", "0.2", "10.9.0.1");
        ok(a, "bash", "-c", "for i in 1 2; do echo x > /dev/udp/10.9.0.2/53; echo x > /dev/udp/2001:db8:9::2/53;"
                + " echo x > /dev/udp/10.9.0.2/9; done; (echo > /dev/tcp/10.9.0.2/22) 2>/dev/null;"
                + " (echo > /dev/tcp/[2001:db8:9::2]/22) 2>/dev/null; echo end > /dev/udp/10.9.0.2/9999; true");
        Eventually.await("the capture holds the last packet sent", Duration.ofSeconds(20), () -> holdsMarker(capture));
        Map<String, Long> kernel = counters(b, "iptables-save");
        kernel.putAll(counters(b, "ip6tables-save"));
        tcpdump.destroy();
        tcpdump.waitFor(10, TimeUnit.SECONDS);

        Run coverage = Run.of("coverage", "--json", "--in", "vb", rules.toString(), "--pcap", capture.toString());
        assertThat(coverage.exitCode()).as(coverage.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(coverage.out());
        Map<String, Long> ours = new LinkedHashMap<>();
        json.path("rules").fields().forEachRemaining(family -> family.getValue().forEach(r ->
                ours.put(family.getKey() + " " + r.path("chain").asText() + " " + r.path("rule").asInt(),
                        r.path("hits").asLong())));
        assertThat(ours).isEqualTo(kernel);
        // Every state is met: new (the first echo request, each datagram from a socket of its own, the SYN),
        // established both ways, related (the port unreachable errors) and drops.
        assertThat(ours).containsEntry("iptables INPUT 7", 1L + 2 + 1).containsEntry("iptables OUTPUT 2", 2L)
                .containsEntry("ip6tables OUTPUT 2", 2L).containsEntry("iptables INPUT 4", 2L)
                .containsEntry("iptables INPUT 6", 0L);
        assertThat(json.path("neverHit").path("iptables").toString()).contains("--dport 8080");
    }

    /** Marks a TCP connection on its first packet; later packets both ways are accepted by that mark alone. */
    private static final String MARKED = """
            *mangle
            :PREROUTING ACCEPT [0:0]
            -A PREROUTING -p tcp --dport 8080 -m conntrack --ctstate NEW -j CONNMARK --set-mark 0x7
            COMMIT
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT DROP [0:0]
            -A INPUT -m connmark --mark 0x7 -m conntrack --ctstate ESTABLISHED -j ACCEPT
            -A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT
            -A INPUT -p tcp --dport 8080 -j ACCEPT
            -A OUTPUT -m connmark --mark 0x7 -j ACCEPT
            -A OUTPUT -j ACCEPT
            COMMIT
            """;

    @Test
    void laterPacketsOfAConnectionMeetTheMarkItsFirstPacketsRulesSet() throws Exception {
        KernelTestSupport.requireTools("tcpdump", "python3");
        Netns[] pair = pair();
        Netns a = pair[0];
        Netns b = pair[1];
        Path rules = dir.resolve("marked.rules");
        Files.writeString(rules, MARKED);
        Run expand = Run.of("check", "--expand", rules.toString());
        assertThat(expand.exitCode()).as(expand.err()).isZero();
        String restore = expand.out().replace("# iptables\n", "");
        ok(b, "sh", "-c", "printf '%s' '" + restore.substring(0, restore.lastIndexOf("COMMIT") + 6)
                + "\n' | iptables-restore");
        // One connection: the client sends a line, the server echoes it and closes.
        server = b.start(List.of("python3", "-c", "import socket\ns = socket.socket()\n"
                + "s.bind(('10.9.0.2', 8080))\ns.listen()\nprint('listening on 8080', flush=True)\n"
                + "c, _ = s.accept()\nc.sendall(c.recv(100))\nc.close()\n"));
        awaitListening(server);
        Path capture = dir.resolve("connection.pcap");
        tcpdump = b.start(List.of("tcpdump", "-i", "any", "-U", "-w", capture.toString()));
        awaitListening(tcpdump);
        ok(a, "bash", "-c", "exec 3<>/dev/tcp/10.9.0.2/8080; echo hello >&3; cat <&3 >/dev/null;"
                + " echo end > /dev/udp/10.9.0.2/9999");
        Eventually.await("the capture holds the last packet sent", Duration.ofSeconds(20), () -> holdsMarker(capture));
        Map<String, Long> kernel = counters(b, "iptables-save");
        tcpdump.destroy();
        tcpdump.waitFor(10, TimeUnit.SECONDS);

        Run coverage = Run.of("coverage", "--json", "-4", "--in", "vb", rules.toString(), "--pcap",
                capture.toString());
        assertThat(coverage.exitCode()).as(coverage.err()).isZero();
        Map<String, Long> ours = new LinkedHashMap<>();
        new ObjectMapper().readTree(coverage.out()).path("rules").path("iptables").forEach(r -> {
            if (r.path("table").asText().equals("filter")) {
                ours.put("iptables " + r.path("chain").asText() + " " + r.path("rule").asInt(), r.path("hits").asLong());
            }
        });
        assertThat(ours).isEqualTo(kernel);
        // The connection's later packets, in and out, are taken by its mark: none fall through to the next rules.
        assertThat(ours.get("iptables INPUT 1")).isGreaterThanOrEqualTo(3);
        assertThat(ours.get("iptables OUTPUT 1")).isGreaterThanOrEqualTo(3);
        assertThat(ours).containsEntry("iptables INPUT 2", 0L).containsEntry("iptables INPUT 3", 1L)
                .containsEntry("iptables OUTPUT 2", 0L);
    }

    /** Two namespaces joined by a veth pair, va (10.9.0.1, 2001:db8:9::1) and vb (10.9.0.2, 2001:db8:9::2). */
    private Netns[] pair() throws Exception {
        Netns a = Netns.throwaway("cova", ProcessRunner.system());
        namespaces.add(a);
        Netns b = Netns.throwaway("covb", ProcessRunner.system());
        namespaces.add(b);
        ok(a, "ip", "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b.name().orElseThrow());
        for (Netns n : namespaces) {
            // Only the traffic sent below: no router solicitations, no link-local addresses and their DAD.
            ok(n, "sysctl", "-qw", "net.ipv6.conf.all.accept_ra=0", "net.ipv6.conf.default.accept_ra=0",
                    "net.ipv6.conf.all.addr_gen_mode=1", "net.ipv6.conf.default.addr_gen_mode=1",
                    "net.ipv6.conf.all.router_solicitations=0", "net.ipv6.conf.default.router_solicitations=0");
        }
        // The sender's multicast listener reports would reach the rules at any moment: they stay home.
        ok(a, "ip6tables", "-A", "OUTPUT", "-p", "ipv6-icmp", "--icmpv6-type", "143", "-j", "DROP");
        ok(a, "ip6tables", "-A", "OUTPUT", "-p", "ipv6-icmp", "--icmpv6-type", "131", "-j", "DROP");
        ok(a, "ip", "addr", "add", "10.9.0.1/24", "dev", "va");
        ok(b, "ip", "addr", "add", "10.9.0.2/24", "dev", "vb");
        ok(a, "ip", "-6", "addr", "add", "2001:db8:9::1/64", "dev", "va", "nodad");
        ok(b, "ip", "-6", "addr", "add", "2001:db8:9::2/64", "dev", "vb", "nodad");
        ok(a, "ip", "link", "set", "va", "up");
        ok(b, "ip", "link", "set", "vb", "up");
        String macA = mac(a, "va");
        String macB = mac(b, "vb");
        ok(a, "ip", "neigh", "add", "10.9.0.2", "lladdr", macB, "dev", "va", "nud", "permanent");
        ok(b, "ip", "neigh", "add", "10.9.0.1", "lladdr", macA, "dev", "vb", "nud", "permanent");
        ok(a, "ip", "-6", "neigh", "add", "2001:db8:9::2", "lladdr", macB, "dev", "va", "nud", "permanent");
        ok(b, "ip", "-6", "neigh", "add", "2001:db8:9::1", "lladdr", macA, "dev", "vb", "nud", "permanent");
        return new Netns[] {a, b};
    }

    private static String mac(Netns netns, String device) throws Exception {
        ProcessResult result = netns.run(List.of("ip", "-j", "link", "show", device), "");
        return new ObjectMapper().readTree(result.stdout()).get(0).path("address").asText();
    }

    /** Waits, bounded, for tcpdump to say it listens; its output is read on a thread of its own. */
    private static void awaitListening(Process process) {
        AtomicBoolean listening = new AtomicBoolean();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.contains("listening on")) {
                        listening.set(true);
                    }
                }
            } catch (java.io.IOException e) {
                // tcpdump ended; the wait below reports it
            }
        });
        reader.setDaemon(true);
        reader.start();
        Eventually.await("tcpdump listens", Duration.ofSeconds(20), listening::get);
    }

    private static boolean holdsMarker(Path capture) {
        AtomicBoolean found = new AtomicBoolean();
        FrameDecoder decoder = new FrameDecoder();
        try (var in = Files.newInputStream(capture)) {
            CaptureReader.read(in, capture.toString(), (linkType, data, length, direction, name) -> {
                FrameDecoder.Decoded d = decoder.decode(linkType, data, length);
                found.compareAndSet(false, d != null && d.dport() == 9999);
            });
        } catch (Exception e) {
            // Not written whole yet.
        }
        return found.get();
    }

    private static final Pattern COUNTED = Pattern.compile("^\\[(\\d+):\\d+\\] -A (\\S+) .*");

    /** The packet counter of each rule of filter, as {@code FAMILY CHAIN N}. */
    private static Map<String, Long> counters(Netns netns, String save) {
        ProcessResult result = netns.run(List.of(save, "-c", "-t", "filter"), "");
        assertThat(result.ok()).as(result.stderr()).isTrue();
        Map<String, Long> out = new LinkedHashMap<>();
        Map<String, Integer> numbers = new HashMap<>();
        String family = save.startsWith("ip6") ? "ip6tables" : "iptables";
        for (String line : result.stdout().split("\n")) {
            Matcher m = COUNTED.matcher(line);
            if (m.matches()) {
                int n = numbers.merge(m.group(2), 1, Integer::sum);
                out.put(family + " " + m.group(2) + " " + n, Long.parseLong(m.group(1)));
            }
        }
        return out;
    }
}
