package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.lb.StateFile;
import io.rampart.system.ProcessRunner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rampart lb} with real traffic. Three namespaces: a client, a middle host (proxy, server, and
 * backends on extra addresses) and a backend host behind it with no route back to the client:
 *
 * <pre>
 *   client 10.72.0.1, fd72::1
 *     ── 10.72.0.2 (+ .11-.15, fd72::11-12) middle 10.73.0.1
 *     ── 10.73.0.11-.15 backends
 * </pre>
 *
 * Every backend answers TCP and UDP with the address it was reached at, so the client counts where
 * each connection went; the split must pass a chi-square test at p = 1e-6, which never flakes.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LbKernelTest {

    /** Chi-square critical values at p = 1e-6, by degrees of freedom (destinations - 1). */
    private static final double[] CRITICAL = {0, 23.928, 27.631, 30.665, 33.377};
    private static final int CONNECTIONS = 300;

    private static final List<Netns> namespaces = new ArrayList<>();
    private static final List<Process> servers = new ArrayList<>();
    private static Netns client;
    private static Netns middle;
    private static Netns backends;

    @TempDir
    Path dir;
    private Path stateFile;

    @BeforeAll
    static void network() throws IOException {
        KernelTestSupport.requireKernel();
        ProcessRunner runner = ProcessRunner.system();
        client = add(Netns.throwaway("lbc", runner));
        middle = add(Netns.throwaway("lbm", runner));
        backends = add(Netns.throwaway("lbb", runner));
        String c = client.name().orElseThrow();
        String m = middle.name().orElseThrow();
        String b = backends.name().orElseThrow();
        host("ip link add c0 netns " + c + " type veth peer name m0 netns " + m);
        host("ip link add m1 netns " + m + " type veth peer name b0 netns " + b);
        in(client, "ip addr add 10.72.0.1/24 dev c0 && ip -6 addr add fd72::1/64 dev c0 nodad && ip link set c0 up"
                + " && ip route add default via 10.72.0.2 && ip -6 route add default via fd72::2");
        StringBuilder middleSetup = new StringBuilder("ip addr add 10.72.0.2/24 dev m0 && ip addr add 10.73.0.1/24"
                + " dev m1 && ip -6 addr add fd72::2/64 dev m0 nodad");
        for (int i = 11; i <= 15; i++) {
            middleSetup.append(" && ip addr add 10.72.0.").append(i).append("/24 dev m0");
        }
        middleSetup.append(" && ip -6 addr add fd72::11/64 dev m0 nodad && ip -6 addr add fd72::12/64 dev m0 nodad"
                + " && ip link set m0 up && ip link set m1 up");
        in(middle, middleSetup.toString());
        StringBuilder backendSetup = new StringBuilder("ip link set b0 up");
        for (int i = 11; i <= 15; i++) {
            backendSetup.append(" && ip addr add 10.73.0.").append(i).append("/24 dev b0");
        }
        in(backends, backendSetup.toString());
        serve(middle, "10.72.0.11:80", "10.72.0.12:80", "10.72.0.13:80", "10.72.0.14:80", "10.72.0.15:80",
                "[fd72::11]:80", "[fd72::12]:80");
        serve(backends, "10.73.0.11:80", "10.73.0.12:80", "10.73.0.13:80", "10.73.0.14:80", "10.73.0.15:80");
    }

    private static Netns add(Netns netns) {
        namespaces.add(netns);
        return netns;
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        for (Process server : servers) {
            try {
                server.getOutputStream().close(); // the server ends when its stdin closes
            } catch (IOException e) {
                server.destroy();
            }
            server.waitFor();
        }
        namespaces.forEach(Netns::close);
    }

    @BeforeEach
    void stateFile() {
        stateFile = dir.resolve("local/state.db");
    }

    /** Each test starts from empty nat tables and no connections. */
    @AfterEach
    void clean() {
        for (Netns netns : List.of(client, middle)) {
            in(netns, "iptables -t nat -F && iptables -t nat -X && ip6tables -t nat -F && ip6tables -t nat -X"
                    + " && (conntrack -F 2>/dev/null; true)");
        }
    }

    private static void host(String command) {
        ProcessResult result = ProcessRunner.system().run(List.of("sh", "-c", command), "");
        assertThat(result.ok()).as(command + ": " + result.stderr()).isTrue();
    }

    private static String in(Netns netns, String command) {
        ProcessResult result = netns.run(List.of("sh", "-c", command), "");
        assertThat(result.ok()).as(command + ": " + result.stderr()).isTrue();
        return result.stdout();
    }

    private static List<String> java(String... args) throws IOException {
        String classes;
        try {
            classes = Path.of(LbTraffic.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:TieredStopAtLevel=1", "-cp", classes, LbTraffic.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    private static void serve(Netns netns, String... endpoints) throws IOException {
        List<String> args = new ArrayList<>(List.of("serve"));
        args.addAll(List.of(endpoints));
        Process server = netns.start(java(args.toArray(String[]::new)));
        servers.add(server);
        String first = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertThat(first).as("backends in " + netns.name().orElseThrow()).isEqualTo("ready");
    }

    /** Sends from the client namespace and returns where each connection went ("lost" for none). */
    private static Map<String, Integer> send(String protocol, String host, int port, int count) throws IOException {
        ProcessResult result = client.run(java("send", protocol, host, Integer.toString(port), Integer.toString(count)),
                "");
        assertThat(result.ok()).as(result.stderr()).isTrue();
        Map<String, Integer> counts = new TreeMap<>();
        result.stdout().lines().forEach(line -> {
            int space = line.lastIndexOf(' ');
            counts.put(line.substring(0, space), Integer.parseInt(line.substring(space + 1)));
        });
        return counts;
    }

    /** Every connection answered, only by the expected destinations, in proportions a fair split gives. */
    private static void assertSplit(Map<String, Integer> counts, Map<String, Double> shares, int total) {
        assertThat(counts.remove("lost")).as("unanswered connections in " + counts).isZero();
        assertThat(counts.keySet()).as("destinations reached").containsExactlyInAnyOrderElementsOf(shares.keySet());
        double chiSquare = 0;
        for (Map.Entry<String, Double> share : shares.entrySet()) {
            double expected = share.getValue() * total;
            double observed = counts.get(share.getKey());
            chiSquare += (observed - expected) * (observed - expected) / expected;
        }
        assertThat(chiSquare).as("chi-square of " + counts + " against " + shares)
                .isLessThan(CRITICAL[shares.size() - 1]);
    }

    private static Map<String, Double> equalShares(String... destinations) {
        Map<String, Double> shares = new LinkedHashMap<>();
        for (String destination : destinations) {
            shares.put(destination, 1.0 / destinations.length);
        }
        return shares;
    }

    private Run lb(Netns netns, String... args) {
        List<String> all = new ArrayList<>(List.of("lb"));
        all.addAll(List.of(args));
        all.addAll(List.of("--netns", netns.name().orElseThrow(), "-state-file=" + stateFile));
        return cli(all);
    }

    private static Run cli(List<String> args) {
        return Run.of(args.toArray(String[]::new));
    }

    private static void assertOk(Run run) {
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    }

    private static String nat(Netns netns, String command) {
        return in(netns, command + "-save -t nat | grep -v '^#'");
    }

    /** A DNAT rule of a profile's chain in {@code iptables-save -c}: its packets and its destination. */
    private static final Pattern DNAT_COUNTER =
            Pattern.compile("^\\[(\\d+):\\d+\\] -A IPTLB_\\S+ .*-j DNAT --to-destination (\\S+)$");

    /**
     * {@code lb status} says the profile is applied, and the kernel's own counters of its DNAT rules
     * ({@code iptables-save -c}) are the connections each destination answered.
     */
    private void assertCountersAre(Netns netns, Map<String, Integer> tally) throws IOException {
        Run status = cli(List.of("lb", "status", "--json", "--netns", netns.name().orElseThrow(), "--state-file",
                stateFile.toString()));
        assertOk(status);
        assertThat(new ObjectMapper().readTree(status.out()).get(0).get("state").asText()).isEqualTo("applied");
        Map<String, Integer> counted = new TreeMap<>();
        in(netns, "iptables-save -c -t nat").lines().map(DNAT_COUNTER::matcher).filter(Matcher::matches)
                .forEach(m -> counted.merge(m.group(2), Integer.parseInt(m.group(1)), Integer::sum));
        assertThat(counted).as("the kernel's counters are the connections each destination answered")
                .isEqualTo(tally);
    }

    private static Map<String, Integer> answered(Map<String, Integer> counts) {
        Map<String, Integer> tally = new TreeMap<>(counts);
        tally.remove("lost");
        return tally;
    }

    @Test
    void clientModeSplitsTcpAmongTwoThenFiveBackendsAndDeleteRemovesItAll() throws IOException {
        in(client, "iptables -t nat -A OUTPUT -d 192.0.2.99/32 -j RETURN");
        assertOk(lb(client, "-run", "-profile=web", "-src-addr=10.99.0.1:80",
                "-dest-addr=10.72.0.11:80,10.72.0.12:80"));
        assertSplit(send("tcp", "10.99.0.1", 80, CONNECTIONS), equalShares("10.72.0.11:80", "10.72.0.12:80"),
                CONNECTIONS);

        Run reset = lb(client, "-run", "-reset", "-profile", "web", "--src-addr", "10.99.0.1:80", "--dest-addr",
                "10.72.0.11:80,10.72.0.12:80,10.72.0.13:80,10.72.0.14:80,10.72.0.15:80");
        assertOk(reset);
        assertThat(reset.out()).contains("replaced profile web").contains("applied (iptables): 1 chain, 5 rules");
        in(client, "conntrack -F 2>/dev/null; true");
        Map<String, Integer> counts = send("tcp", "10.99.0.1", 80, CONNECTIONS);
        Map<String, Integer> tally = answered(counts);
        assertSplit(counts, equalShares("10.72.0.11:80", "10.72.0.12:80", "10.72.0.13:80", "10.72.0.14:80",
                "10.72.0.15:80"), CONNECTIONS);

        assertCountersAre(client, tally);

        assertOk(lb(client, "-run", "-delete", "-profile=web"));
        String after = nat(client, "iptables");
        assertThat(after).doesNotContain("IPTLB").doesNotContain("RAMPART-MANAGED")
                .contains("-A OUTPUT -d 192.0.2.99/32 -j RETURN");
        assertThat(Files.readString(stateFile)).isEqualTo("{}\n");
    }

    @Test
    void proxyModeCarriesUdpToThreeBackendsBehindItAndMasqueradesTheReturnPath() throws IOException {
        in(middle, "echo 0 > /proc/sys/net/ipv4/ip_forward");
        assertOk(lb(middle, "-run", "-profile=dns", "-rules-backend=proxy", "-protocol=udp",
                "-src-addr=10.72.0.2:80", "-dest-addr=10.73.0.11:80,10.73.0.12:80,10.73.0.13:80"));
        assertThat(in(middle, "cat /proc/sys/net/ipv4/ip_forward").strip()).isEqualTo("1");
        assertThat(nat(middle, "iptables")).contains("-A POSTROUTING -p udp -m conntrack --ctstate DNAT --ctorigdst"
                + " 10.72.0.2 --ctorigdstport 80 -j MASQUERADE");
        assertSplit(send("udp", "10.72.0.2", 80, CONNECTIONS),
                equalShares("10.73.0.11:80", "10.73.0.12:80", "10.73.0.13:80"), CONNECTIONS);
        assertThat(send("tcp", "10.72.0.2", 80, 3)).as("the udp profile leaves tcp alone").containsEntry("lost", 3)
                .doesNotContainKeys("10.73.0.11:80", "10.73.0.12:80", "10.73.0.13:80");
    }

    @Test
    void serverModeBalancesAmongItsOwnAddressesByWeightAndLogs() throws IOException {
        assertOk(lb(middle, "-run", "-profile=api", "-rules-backend=server", "-log-custom-chain", "-log-level=6",
                "-src-addr=10.72.0.2:81", "-dest-addr=10.72.0.11:80*3,10.72.0.12:80"));
        assertThat(nat(middle, "iptables")).contains("-A PREROUTING -d 10.72.0.2/32 -p tcp -m tcp --dport 81"
                + " -j IPTLB_NAT_API").contains("-A IPTLB_NAT_API -j LOG --log-prefix \"IPTLB:API: \" --log-level 6");
        Map<String, Integer> counts = send("tcp", "10.72.0.2", 81, CONNECTIONS);
        Map<String, Integer> tally = answered(counts);
        assertSplit(counts, Map.of("10.72.0.11:80", 0.75, "10.72.0.12:80", 0.25), CONNECTIONS);
        assertCountersAre(middle, tally);
    }

    @Test
    void savedWithoutRunTheKernelIsUntouchedUntilUseStateAppliesEveryProfile() throws Exception {
        String before = nat(client, "iptables") + nat(client, "ip6tables");
        assertOk(lb(client, "-profile=dns", "-protocol=udp", "-src-addr=10.99.0.2:53",
                "-dest-addr=10.72.0.11:80,10.72.0.12:80,10.72.0.13:80,10.72.0.14:80,10.72.0.15:80"));
        assertOk(lb(client, "-profile=v6", "-src-addr=[fd99::1]:80", "-dest-addr=[fd72::11]:80,[fd72::12]:80"));
        assertThat(nat(client, "iptables") + nat(client, "ip6tables")).isEqualTo(before);
        assertThat(StateFile.read(stateFile)).containsOnlyKeys("dns", "v6");

        Run applied = lb(client, "-run", "-use-state");
        assertOk(applied);
        assertThat(applied.out()).contains("applied (iptables)").contains("applied (ip6tables)");
        assertSplit(send("udp", "10.99.0.2", 53, CONNECTIONS), equalShares("10.72.0.11:80", "10.72.0.12:80",
                "10.72.0.13:80", "10.72.0.14:80", "10.72.0.15:80"), CONNECTIONS);
        assertSplit(send("tcp", "fd99::1", 80, 200), equalShares("[fd72::11]:80", "[fd72::12]:80"), 200);
    }

    @Test
    void statusShowsDriftAndARunRepairsIt() throws IOException {
        assertOk(lb(client, "-run", "-profile=web", "-src-addr=10.99.0.1:80", "-dest-addr=10.72.0.11:80"));
        in(client, "iptables -t nat -D OUTPUT 1");
        Run status = cli(List.of("lb", "status", "--netns", client.name().orElseThrow(), "-state-file",
                stateFile.toString()));
        assertThat(status.out()).startsWith("web: 10.99.0.1:80 tcp (client) chain IPTLB_NAT_WEB: drifted\n");
        Run repaired = lb(client, "-run", "-profile=web", "--json");
        assertOk(repaired);
        JsonNode summary = new ObjectMapper().readTree(repaired.out());
        assertThat(summary.get("stateWritten").asBoolean()).isFalse();
        assertThat(summary.get("applied").get(0).get("written").asBoolean()).isTrue();
        assertThat(nat(client, "iptables")).contains("-A OUTPUT -d 10.99.0.1/32 -p tcp -m tcp --dport 80"
                + " -j IPTLB_NAT_WEB");
        assertThat(send("tcp", "10.99.0.1", 80, 20)).containsExactlyInAnyOrderEntriesOf(
                Map.of("10.72.0.11:80", 20, "lost", 0));
    }

    @Test
    void whenTheKernelRefusesTheSecondFamilyTheFirstIsUndoneAndTheStateFileKept() throws IOException {
        assertOk(lb(client, "-run", "-profile=web", "-src-addr=[fd99::1]:80", "-dest-addr=[fd72::11]:80"));
        in(client, "iptables -t nat -A OUTPUT -d 192.0.2.99/32 -j RETURN");
        // A verdict map element holds the profile's IPv6 chain: ip6tables-save does not show it, and the
        // kernel refuses to delete the chain while it is held.
        in(client, "nft add map ip6 nat held '{ type ipv6_addr : verdict; }'"
                + " && nft add element ip6 nat held '{ fd99::9 : jump IPTLB_NAT_WEB }'");
        try {
            String ipv4 = nat(client, "iptables");
            String ipv6 = nat(client, "ip6tables");
            String state = Files.readString(stateFile);
            // Moving the profile to IPv4 writes iptables first, then ip6tables, which is refused.
            Run moved = lb(client, "-run", "-reset", "-profile=web", "-src-addr=10.99.0.1:80",
                    "-dest-addr=10.72.0.11:80");
            assertThat(moved.exitCode()).as(moved.out() + moved.err()).isEqualTo(ExitCode.SYSTEM);
            assertThat(moved.err()).contains("the kernel refused")
                    .contains("the change to iptables was undone, so neither family changed")
                    .contains("the state file was not changed");
            assertThat(nat(client, "iptables")).isEqualTo(ipv4);
            assertThat(nat(client, "ip6tables")).isEqualTo(ipv6);
            assertThat(Files.readString(stateFile)).isEqualTo(state);
        } finally {
            in(client, "nft delete map ip6 nat held");
        }
    }

    @Test
    void badInputIsRefusedWithNothingChanged() throws IOException {
        assertOk(lb(client, "-run", "-profile=web", "-src-addr=10.99.0.1:80", "-dest-addr=10.72.0.11:80"));
        String kernel = nat(client, "iptables") + nat(client, "ip6tables");
        String state = Files.readString(stateFile);
        List<List<String>> bad = List.of(
                List.of("-run", "-profile=x", "-src-addr=10.99.0.1:80", "-dest-addr=10.72.0.300:80"),
                List.of("-run", "-profile=x", "-src-addr=10.99.0.7:70000", "-dest-addr=10.72.0.11:80"),
                List.of("-run", "-profile=x", "-rules-backend=sever", "-src-addr=10.99.0.7:80",
                        "-dest-addr=10.72.0.11:80"),
                List.of("-run", "-profile=x", "-src-addr=10.99.0.1:80", "-dest-addr=10.72.0.12:80"),
                List.of("-run", "-profile=web", "-src-addr=10.99.0.1:80", "-dest-addr=10.72.0.12:80"),
                List.of("-run", "-delete", "-profile=we"),
                List.of("-run", "-profile=x", "-protocol=icmp", "-src-addr=10.99.0.7:80", "-dest-addr=10.72.0.11:80"),
                List.of("-run", "-profile=x", "-log-custom-chain", "-log-level=8", "-src-addr=10.99.0.7:80",
                        "-dest-addr=10.72.0.11:80"));
        for (List<String> args : bad) {
            Run run = lb(client, args.toArray(String[]::new));
            assertThat(run.exitCode()).as(args + ": " + run.err()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(run.err()).as(args.toString()).startsWith("rampart: -");
            assertThat(nat(client, "iptables") + nat(client, "ip6tables")).as(args.toString()).isEqualTo(kernel);
            assertThat(Files.readString(stateFile)).as(args.toString()).isEqualTo(state);
        }
    }
}
