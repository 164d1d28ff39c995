package io.rampart.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extension.NameDatabase;
import io.rampart.trace.PacketSpec;
import io.rampart.trace.Step;
import io.rampart.trace.Trace;
import io.rampart.trace.TraceInputException;
import io.rampart.trace.Tracer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random rulesets over raw, mangle, nat and filter (NOTRACK, marks and connection marks set and
 * read, DNAT, REDIRECT, SNAT, MASQUERADE, TTL, TOS, DSCP and ECN rewritten and read, the length read, and
 * HMARK and TPROXY,
 * whose effect the analysis cannot compute) and variations of them: every counterexample diff gives
 * shows its difference when traced through both rulesets, every difference it cannot trace hangs on
 * HMARK or TPROXY and says so, every "equivalent" agrees with tracing every packet of a small domain,
 * and every rule DeadRules finds is one no packet of it reaches.
 */
class RandomTablesProperties {

    private static final long SEED = 20261202L;
    private static final int PAIRS = 70;

    private static final String[] SOURCES = {"192.0.2.1", "198.51.100.1"};
    private static final String[] DESTINATIONS = {"10.0.0.1", "10.0.0.200"};
    private static final String[] PORTS = {"22", "443"};
    private static final String[] STATES = {"NEW", "ESTABLISHED"};
    private static final String[] MARKS = {"0x0", "0x1"};
    /** A first packet's connection carries nothing; an established one what earlier packets left (mark, NAT). */
    private static final String[][] FIRST_CONNECTION = {{null, null}};
    private static final String[][] CONNECTIONS = {{null, null}, {"0x2", null}, {null, "DNAT"}};
    private static final String[] IFACES = {"eth0", "eth1"};
    /** The default TTL, and one that expires after a decrease by one on its way through. */
    private static final String[] TTLS = {"64", "2"};
    private static final String[] TOS = {"0x0", "0x28"};
    private static final String HMARK = " -j HMARK --hmark-tuple src,dst,sport,dport --hmark-mod 2 --hmark-rnd 0x1";

    /** Per table, its built-in chains with the rules each may hold. */
    private static final Map<Table, List<String>> CHAINS = new LinkedHashMap<>();

    static {
        CHAINS.put(Table.RAW, List.of("PREROUTING", "OUTPUT"));
        CHAINS.put(Table.MANGLE, List.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING", "M1"));
        CHAINS.put(Table.NAT, List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"));
        CHAINS.put(Table.FILTER, List.of("INPUT", "FORWARD", "OUTPUT", "U1"));
    }

    private final Random random = new Random(SEED);

    @Test
    void counterexamplesShowTheirDifferenceAndEquivalenceHoldsOnEveryPacketOfTheDomain() throws TraceInputException {
        int equivalent = 0;
        int different = 0;
        int depending = 0;
        int dead = 0;
        List<PacketSpec> domain = domain();
        for (int pair = 0; pair < PAIRS; pair++) {
            Map<Table, List<String>> a = ruleset();
            Map<Table, List<String>> b = variation(a);
            String textA = text(a);
            String textB = text(b);
            RulesetDiff.Side sideA = Rulesets.side("a.rules", textA, Family.IPV4);
            RulesetDiff.Side sideB = Rulesets.side("b.rules", textB, Family.IPV4);
            String context = "pair " + pair + "\n--- a\n" + textA + "--- b\n" + textB;
            RulesetDiff.Result result = RulesetDiff.compare(sideA, sideB, 5, NameDatabase.system());
            Tracer tracerA = RandomDiffProperties.tracer(sideA);
            Tracer tracerB = RandomDiffProperties.tracer(sideB);
            if (result.equivalent()) {
                equivalent++;
                for (PacketSpec packet : domain) {
                    assertThat(tracerA.trace(packet.build(Family.IPV4)).verdict()).as(context + packet.values())
                            .isEqualTo(tracerB.trace(packet.build(Family.IPV4)).verdict());
                }
            } else {
                different++;
                for (RulesetDiff.Difference d : result.differences()) {
                    if (!d.traced()) {
                        // Only what HMARK sets or what TPROXY or a queue's program decides is beyond the analysis here: the
                        // difference hangs on the rule, and the rule is one of the rulesets'.
                        depending++;
                        assertThat(d.onlyIf()).as(context + d).isNotEmpty().allSatisfy(c ->
                                assertThat(c).matches("(?s).*`-j (HMARK|TPROXY|NFQUEUE)[^']*' at [ab]\\.rules:\\d+.*"));
                        continue;
                    }
                    assertThat(d.onlyIf()).as(context + d).isEmpty();
                    Trace[] traces = RandomDiffProperties.traces(d, tracerA, tracerB, context);
                    Trace traceA = traces[0];
                    Trace traceB = traces[1];
                    // The tracer counts REJECT as DROP; the analysis tells them apart.
                    assertThat(d.a().verdict()).as(context + d).isNotEqualTo(d.b().verdict());
                    assertThat(traceA.verdict()).as(context + d).isEqualTo(category(d.a().verdict()));
                    assertThat(traceB.verdict()).as(context + d).isEqualTo(category(d.b().verdict()));
                    assertThat(sources(traceA)).as(context + d).contains(d.a().where());
                    assertThat(sources(traceB)).as(context + d).contains(d.b().where());
                }
            }
            dead += deadRulesAreNeverHit(sideA, tracerA, domain, context);
        }
        assertThat(equivalent).as("equivalent pairs").isGreaterThan(10);
        assertThat(different).as("different pairs").isGreaterThan(5);
        assertThat(depending).as("differences hanging on HMARK, TPROXY or a queue").isGreaterThan(3);
        assertThat(dead).as("dead rules found").isGreaterThan(3);
    }

    private static final String[] REWRITES = {"-j TTL --ttl-set 1", "-j TTL --ttl-set 64", "-j TTL --ttl-dec 1",
        "-j TTL --ttl-dec 64", "-j TTL --ttl-inc 1", "-j TTL --ttl-inc 200", "-j TOS --set-tos 0x10/0x3f",
        "-j TOS --set-tos 0x8", "-j TOS --and-tos 0xf0", "-j TOS --or-tos 0x3", "-j TOS --xor-tos 0x28",
        "-j DSCP --set-dscp 0xa", "-j DSCP --set-dscp 0x2e", "-j ECN --ecn-ip-ect 1", "-j ECN --ecn-tcp-remove",
        "-j ECN --ecn-tcp-ece 1 --ecn-ip-ect 2", "-j ECN --ecn-tcp-cwr 1", HMARK.trim(), HMARK.trim()};
    private static final String[] HEADER_MATCHES = {"-m ttl --ttl-eq 0", "-m ttl --ttl-eq 64", "-m ttl --ttl-lt 2",
        "-m ttl --ttl-gt 63", "-m ttl ! --ttl-eq 255", "-m tos --tos 0x10/0x3f", "-m tos --tos 0x8/0xff",
        "-m tos ! --tos 0x3/0x3", "-m dscp --dscp 0xa", "-m dscp ! --dscp 0x2e", "-m tos --tos 0x1/0x3",
        "-m mark --mark 0x0", "-m mark --mark 0x1", "-m mark --mark 0x1", "-m ecn --ecn-ip-ect 1",
        "-m ecn ! --ecn-ip-ect 2", "-m ecn --ecn-tcp-ece", "-m ecn ! --ecn-tcp-cwr", "-m ecn --ecn-tcp-ece --ecn-tcp-cwr",
        "-m length --length 0:40", "-m length ! --length 60:1500"};
    private static final String[] DOMAIN_FLAGS = {"SYN", "SYN,ECE,CWR", "ACK,ECE"};
    private static final String[] DOMAIN_LENGTHS = {"40", "60", "1500"};
    private static final int[] DOMAIN_TTLS = {0, 1, 2, 3, 63, 64, 65, 255};
    private static final int[] DOMAIN_TOS = {0x0, 0x3, 0x10, 0x28, 0xb8, 0xff};

    @Test
    void rewrittenTtlTosAndEcnAreSeenByLaterMatchesAsTheTracerSeesThem() throws TraceInputException {
        int equivalent = 0;
        int different = 0;
        int depending = 0;
        List<PacketSpec> domain = new ArrayList<>();
        for (String path : List.of("INPUT", "FORWARD")) {
            for (int ttl : DOMAIN_TTLS) {
                for (int tos : DOMAIN_TOS) {
                    for (String flags : DOMAIN_FLAGS) {
                        for (String length : DOMAIN_LENGTHS) {
                            domain.add(new PacketSpec().set("in", "eth0")
                                    .set("out", path.equals("FORWARD") ? "eth1" : null).set("src", "192.0.2.1")
                                    .set("dst", "10.0.0.1").set("proto", "tcp").set("dport", "22")
                                    .set("ttl", String.valueOf(ttl)).set("tos", "0x" + Integer.toHexString(tos))
                                    .set("tcp_flags", flags).set("length", length));
                        }
                    }
                }
            }
        }
        for (int pair = 0; pair < PAIRS; pair++) {
            List<String> a = headerRules();
            List<String> b = new ArrayList<>(a);
            int i = random.nextInt(b.size());
            switch (random.nextInt(3)) {
                case 0 -> b.remove(i);
                case 1 -> b.set(i, headerRule(b.get(i).split(" ")[0]));
                default -> b.add(i, headerRule(b.get(i).split(" ")[0]));
            }
            String textA = headerText(a);
            String textB = headerText(b);
            RulesetDiff.Side sideA = Rulesets.side("a.rules", textA, Family.IPV4);
            RulesetDiff.Side sideB = Rulesets.side("b.rules", textB, Family.IPV4);
            String context = "pair " + pair + "\n--- a\n" + textA + "--- b\n" + textB;
            RulesetDiff.Result result;
            try {
                result = RulesetDiff.compare(sideA, sideB, 5, NameDatabase.system());
            } catch (IllegalStateException e) {
                throw new AssertionError(context, e);
            }
            Tracer tracerA = RandomDiffProperties.tracer(sideA);
            Tracer tracerB = RandomDiffProperties.tracer(sideB);
            if (result.equivalent()) {
                equivalent++;
                for (PacketSpec packet : domain) {
                    assertThat(tracerA.trace(packet.build(Family.IPV4)).verdict()).as(context + packet.values())
                            .isEqualTo(tracerB.trace(packet.build(Family.IPV4)).verdict());
                }
                continue;
            }
            different++;
            for (RulesetDiff.Difference d : result.differences()) {
                if (!d.traced()) {
                    depending++;
                    assertThat(d.onlyIf()).as(context + d).isNotEmpty().allSatisfy(c ->
                            assertThat(c).matches("(?s)`-j HMARK[^']*' at [ab]\\.rules:\\d+ sets the mark that way"));
                    continue;
                }
                Trace[] traces = RandomDiffProperties.traces(d, tracerA, tracerB, context);
                assertThat(traces[0].verdict()).as(context + d).isEqualTo(category(d.a().verdict()));
                assertThat(traces[1].verdict()).as(context + d).isEqualTo(category(d.b().verdict()));
                assertThat(sources(traces[0])).as(context + d).contains(d.a().where());
                assertThat(sources(traces[1])).as(context + d).contains(d.b().where());
            }
        }
        assertThat(equivalent).as("equivalent pairs").isGreaterThan(10);
        assertThat(different).as("different pairs").isGreaterThan(10);
        assertThat(depending).as("differences hanging on HMARK").isGreaterThan(3);
    }

    /** Rewrites in mangle PREROUTING, FORWARD and INPUT, and filter rules that read what they wrote. */
    private List<String> headerRules() {
        List<String> rules = new ArrayList<>();
        // Often a mark HMARK sets and a rule that reads it, so that differences hang on the hash.
        if (random.nextInt(3) == 0) {
            rules.add("mangle -A PREROUTING" + HMARK);
            rules.add("filter -A " + pick(new String[] {"INPUT", "FORWARD"}) + " -m mark --mark 0x1 -j DROP");
        }
        int count = 1 + random.nextInt(5);
        for (int i = 0; i < count; i++) {
            rules.add(headerRule(pick(new String[] {"mangle", "filter"})));
        }
        return rules;
    }

    private String headerRule(String table) {
        if (table.equals("mangle")) {
            return "mangle -A " + pick(new String[] {"PREROUTING", "PREROUTING", "INPUT", "FORWARD"}) + " -p tcp"
                    + (random.nextInt(3) == 0 ? " " + pick(HEADER_MATCHES) : "") + " " + pick(REWRITES);
        }
        // Every packet of the domain is TCP, which ECN's flags need.
        return "filter -A " + pick(new String[] {"INPUT", "FORWARD"}) + " -p tcp " + pick(HEADER_MATCHES) + " "
                + pick(new String[] {"-j DROP", "-j ACCEPT", "-j REJECT --reject-with icmp-port-unreachable"});
    }

    private static String headerText(List<String> rules) {
        StringBuilder b = new StringBuilder("*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
                + ":FORWARD ACCEPT [0:0]\n");
        rules.stream().filter(r -> r.startsWith("mangle ")).forEach(r -> b.append(r.substring(7)).append('\n'));
        b.append("COMMIT\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        rules.stream().filter(r -> r.startsWith("filter ")).forEach(r -> b.append(r.substring(7)).append('\n'));
        return b.append("COMMIT\n").toString();
    }

    /** Every rule DeadRules finds in any table is met by no traced packet of the domain; how many it found. */
    private static int deadRulesAreNeverHit(RulesetDiff.Side side, Tracer tracer, List<PacketSpec> domain,
                                            String context) throws TraceInputException {
        List<DeadRules.Finding> findings = DeadRules.find(side.ruleset(), side.locations());
        List<String> hit = new ArrayList<>();
        for (PacketSpec packet : domain) {
            for (Step step : tracer.trace(packet.build(Family.IPV4)).steps()) {
                if (!step.isPolicy()) {
                    hit.add(step.source());
                }
            }
        }
        for (DeadRules.Finding f : findings) {
            if (f.kind() == DeadRules.Kind.UNREACHABLE) {
                assertThat(hit).as(context + f).doesNotContain(side.locations().of(f.table(), f.rule()));
            }
        }
        return findings.size();
    }

    private static String category(String verdict) {
        return verdict.equals("ACCEPT") ? "ACCEPT" : "DROP";
    }

    /** Where each rule the trace met was written, and the policies as the analysis names them. */
    private static List<String> sources(Trace trace) {
        List<String> out = new ArrayList<>();
        for (Step step : trace.steps()) {
            out.add(step.isPolicy() ? "policy of " + (step.table().equals("filter") ? "" : step.table() + " ")
                    + step.chain() : step.source());
        }
        if (trace.steps().isEmpty()) {
            out.add(Pipeline.NO_TABLE);
        }
        if (trace.notes().stream().anyMatch(n -> n.contains(Tracer.TTL_EXPIRES))) {
            out.add(Pipeline.TTL_EXPIRED);
        }
        return out;
    }

    /**
     * Every packet of the small domain, on each of the three paths, with and without a mark, and established
     * ones also of a connection with a mark or DNAT done.
     */
    private static List<PacketSpec> domain() {
        List<PacketSpec> out = new ArrayList<>();
        for (String path : RulesetDiff.CHAINS) {
            for (String in : path.equals("OUTPUT") ? new String[] {null} : IFACES) {
                for (String outIface : path.equals("INPUT") ? new String[] {null} : IFACES) {
                    for (String src : SOURCES) {
                        for (String dst : DESTINATIONS) {
                            for (String state : STATES) {
                                for (String mark : MARKS) {
                                    for (String[] connection : state.equals("NEW") ? FIRST_CONNECTION
                                            : CONNECTIONS) {
                                        for (String proto : new String[] {"tcp", "udp"}) {
                                            for (String port : PORTS) {
                                                for (int hop = 0; hop < TTLS.length; hop++) {
                                                    out.add(new PacketSpec().set("in", in).set("out", outIface)
                                                            .set("local", path.equals("OUTPUT") ? "true" : null)
                                                            .set("src", src).set("dst", dst).set("proto", proto)
                                                            .set("dport", port).set("ct_state", state)
                                                            .set("mark", mark).set("ct_mark", connection[0])
                                                            .set("ct_nat", connection[1])
                                                            .set("ttl", TTLS[hop]).set("tos", TOS[hop]));
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    private Map<Table, List<String>> ruleset() {
        Map<Table, List<String>> tables = new LinkedHashMap<>();
        for (Map.Entry<Table, List<String>> e : CHAINS.entrySet()) {
            if (e.getKey() != Table.FILTER && random.nextInt(4) == 0) {
                continue;
            }
            List<String> rules = new ArrayList<>();
            for (String chain : e.getValue()) {
                int count = random.nextInt(3);
                for (int i = 0; i < count; i++) {
                    rules.add(rule(e.getKey(), chain));
                }
            }
            tables.put(e.getKey(), rules);
        }
        return tables;
    }

    private String rule(Table table, String chain) {
        StringBuilder b = new StringBuilder("-A " + chain);
        boolean arriving = !chain.equals("OUTPUT") && !chain.equals("POSTROUTING") && !chain.startsWith("M")
                && !chain.startsWith("U");
        if (arriving && random.nextInt(4) == 0) {
            b.append(" -i ").append(pick(IFACES));
        }
        if (random.nextInt(3) == 0) {
            b.append(random.nextBoolean() ? " -s " : " -d ").append(random.nextBoolean() ? "192.0.2.0/24" : "10.0.0.1");
        }
        boolean tcp = random.nextInt(3) == 0;
        if (tcp) {
            b.append(" -p tcp");
            if (random.nextBoolean()) {
                b.append(" -m tcp --dport ").append(pick(PORTS));
            }
        }
        switch (random.nextInt(table == Table.RAW ? 3 : 8)) {
            case 0 -> b.append(" -m mark --mark 0x1/0x1");
            case 1 -> b.append(" -m conntrack --ctstate ").append(pick(new String[] {"NEW", "ESTABLISHED", "UNTRACKED",
                "DNAT", "INVALID"}));
            case 2 -> b.append(" -m connmark --mark 0x2/0x2");
            case 3 -> b.append(pick(new String[] {" -m ttl --ttl-lt 2", " -m ttl --ttl-eq 64", " -m ttl --ttl-gt 63"}));
            case 4 -> b.append(pick(new String[] {" -m tos --tos 0x10/0x3f", " -m dscp --dscp 0xa",
                " -m tos --tos 0x28/0xff"}));
            default -> { }
        }
        if (table == Table.MANGLE && chain.equals("PREROUTING") && tcp && random.nextInt(12) == 0) {
            return b.append(" -j TPROXY --on-port 3128").toString();
        }
        return b.append(target(table, chain, tcp)).toString();
    }

    private String target(Table table, String chain, boolean tcp) {
        return switch (table) {
            case RAW -> pick(new String[] {" -j CT --notrack", " -j MARK --set-xmark 0x1/0x1", " -j ACCEPT",
                " -j DROP"});
            case MANGLE -> chain.equals("M1") ? pick(new String[] {" -j MARK --set-xmark 0x0/0x1", " -j RETURN",
                " -j DROP"}) : pick(new String[] {" -j MARK --set-xmark 0x1/0x1", " -j MARK --set-xmark 0x0/0x1",
                " -j CONNMARK --set-xmark 0x2/0x2", " -j CONNMARK --save-mark --nfmask 0x1 --ctmask 0x1",
                " -j CONNMARK --restore-mark --nfmask 0x2 --ctmask 0x2", " -j M1", " -j DROP", " -j ACCEPT",
                " -j TTL --ttl-dec 1", " -j TTL --ttl-set 64", " -j TTL --ttl-inc 1", " -j TOS --set-tos 0x10/0x3f",
                " -j TOS --xor-tos 0x8", " -j DSCP --set-dscp 0xa", HMARK});
            case NAT -> switch (chain) {
                case "PREROUTING", "OUTPUT" -> tcp ? pick(new String[] {" -j DNAT --to-destination 10.0.0.1:443",
                    " -j REDIRECT --to-ports 22", " -j ACCEPT"}) : pick(new String[] {
                    " -j DNAT --to-destination 10.0.0.1", " -j ACCEPT"});
                case "POSTROUTING" -> pick(new String[] {" -j SNAT --to-source 192.0.2.1", " -j MASQUERADE",
                    " -j ACCEPT"});
                default -> " -j SNAT --to-source 198.51.100.1";
            };
            default -> chain.equals("U1") ? pick(new String[] {" -j ACCEPT", " -j DROP", " -j RETURN"})
                    : pick(new String[] {" -j ACCEPT", " -j DROP", " -j U1", " -j MARK --set-xmark 0x1/0x1",
                        " -j REJECT --reject-with icmp-port-unreachable", " -j NFQUEUE --queue-num 3 --queue-bypass"});
        };
    }

    private Map<Table, List<String>> variation(Map<Table, List<String>> a) {
        Map<Table, List<String>> b = new LinkedHashMap<>();
        a.forEach((table, rules) -> b.put(table, new ArrayList<>(rules)));
        List<Table> tables = new ArrayList<>(b.keySet());
        Table table = tables.get(random.nextInt(tables.size()));
        List<String> rules = b.get(table);
        if (rules.isEmpty()) {
            rules.add(rule(table, CHAINS.get(table).get(0)));
            return b;
        }
        int i = random.nextInt(rules.size());
        switch (random.nextInt(4)) {
            case 0 -> rules.remove(i);
            case 1 -> {
                if (i + 1 < rules.size()) {
                    rules.add(i, rules.remove(i + 1));
                }
            }
            case 2 -> rules.set(i, rule(table, rules.get(i).split(" ")[1]));
            default -> {
                // The same mark read in filter instead of set in mangle and read in filter: often equivalent.
                String chain = rules.get(i).split(" ")[1];
                rules.add(i, rule(table, chain));
            }
        }
        return b;
    }

    private static String text(Map<Table, List<String>> tables) {
        StringBuilder b = new StringBuilder();
        tables.forEach((table, rules) -> {
            b.append('*').append(table.label()).append('\n');
            for (String chain : CHAINS.get(table)) {
                b.append(':').append(chain).append(chain.length() == 2 ? " - [0:0]\n" : " ACCEPT [0:0]\n");
            }
            rules.forEach(r -> b.append(r).append('\n'));
            b.append("COMMIT\n");
        });
        return b.toString();
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }
}
