package io.rampart.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.trace.Assumptions;
import io.rampart.trace.CompiledRuleset;
import io.rampart.trace.Host;
import io.rampart.trace.PacketSpec;
import io.rampart.trace.Step;
import io.rampart.trace.Trace;
import io.rampart.trace.TraceInputException;
import io.rampart.trace.Tracer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random ruleset pairs, each a ruleset and a variation of it (a rule dropped, two swapped, a target
 * flipped, rules moved into a user chain), their rules reading addresses, ports, states, lengths and ECN's
 * bits: every counterexample diff gives is traced and shows the difference, and every "equivalent" agrees
 * with tracing every packet of a small domain. And the dead rules check finds in random rulesets with
 * user chains, RETURNs and gotos: without a rule it calls redundant the ruleset is equivalent, and a rule
 * it calls unreachable meets no packet of the domain.
 */
class RandomDiffProperties {

    private static final long SEED = 20261201L;
    private static final int PAIRS = 60;

    private static final String[] SOURCES = {"192.0.2.1", "192.0.2.130", "198.51.100.1"};
    private static final String[] DESTINATIONS = {"10.0.0.1", "10.0.0.200"};
    private static final String[] PORTS = {"22", "80", "443"};
    private static final String[] STATES = {"NEW", "ESTABLISHED"};
    private static final String[] IFACES = {"eth0", "eth1"};
    /**
     * What else a packet of the domain is sent with: TOS bytes of each ECN code point the rules test, TCP's
     * ECN flags, and lengths about the edges of LENGTHS' ranges (TCP's default is 40, UDP's and ICMP's 28).
     */
    private static final String[][] TCP_SENT = {{null, null, null}, {"0x1", "SYN,ECE,CWR", "60"},
        {"0xb", "ACK,ECE", "1500"}, {"0xb", "SYN,ECE,CWR", null}};
    private static final String[][] OTHERS_SENT = {{null, null, null}, {"0x1", null, "60"}, {"0xb", null, "1500"}};
    private static final String[] LENGTHS = {" -m length --length 0:60", " -m length ! --length 41:100",
        " -m length --length 1500"};
    private static final String[] ECN = {" -m ecn --ecn-ip-ect 1", " -m ecn ! --ecn-ip-ect 0",
        " -m ecn --ecn-ip-ect 3"};
    private static final String[] TCP_ECN = {" -m ecn --ecn-tcp-ece", " -m ecn ! --ecn-tcp-cwr",
        " -m ecn --ecn-tcp-ece --ecn-tcp-cwr --ecn-ip-ect 3"};

    private final Random random = new Random(SEED);

    @Test
    void counterexamplesAreTracedAndEquivalenceHoldsOnEveryPacketOfTheDomain() throws TraceInputException {
        int equivalent = 0;
        int different = 0;
        for (int pair = 0; pair < PAIRS; pair++) {
            List<String> a = ruleset();
            List<String> b = variation(a);
            String[] policies = {policy(), policy(), policy()};
            String textA = Rulesets.filter(policies[0], policies[1], policies[2], a.toArray(String[]::new));
            String textB = Rulesets.filter(policies[0], policies[1], policies[2], b.toArray(String[]::new));
            RulesetDiff.Side sideA = Rulesets.side("a.rules", textA, Family.IPV4);
            RulesetDiff.Side sideB = Rulesets.side("b.rules", textB, Family.IPV4);
            RulesetDiff.Result result = RulesetDiff.compare(sideA, sideB, 5, NameDatabase.system());
            Tracer tracerA = tracer(sideA);
            Tracer tracerB = tracer(sideB);
            String context = "pair " + pair + "\n--- a\n" + textA + "--- b\n" + textB;
            if (result.equivalent()) {
                equivalent++;
                for (PacketSpec packet : domain()) {
                    assertThat(tracerA.trace(packet.build(Family.IPV4)).verdict())
                            .as(context).isEqualTo(tracerB.trace(packet.build(Family.IPV4)).verdict());
                }
                continue;
            }
            different++;
            for (RulesetDiff.Difference d : result.differences()) {
                Trace[] traces = traces(d, tracerA, tracerB, context);
                Trace traceA = traces[0];
                Trace traceB = traces[1];
                assertThat(traceA.verdict()).as(context).isEqualTo(d.a().verdict());
                assertThat(traceB.verdict()).as(context).isEqualTo(d.b().verdict());
                assertThat(traceA.verdict()).as(context).isNotEqualTo(traceB.verdict());
                assertThat(decider(traceA)).as(context).isEqualTo(d.a().where());
                assertThat(decider(traceB)).as(context).isEqualTo(d.b().where());
            }
        }
        assertThat(equivalent).as("equivalent pairs").isGreaterThan(5);
        assertThat(different).as("different pairs").isGreaterThan(5);
    }

    private static final String LIMIT = " -m limit --limit 10/sec";

    /**
     * Random pairs whose rules sometimes also need {@code -m limit}, which the analysis does not model: an
     * "equivalent" holds on every packet of the domain whether the limit matches or not, a difference that
     * hangs on nothing gets its two verdicts either way (its rules as traced, the limit matching), and one
     * that hangs on the limit gets its verdicts and rules when the tracer is told the outcome it names.
     */
    @Test
    void differencesThatHangOnAnUnmodelledMatchShowUnderTheOutcomeTheyName() throws TraceInputException {
        Random limited = new Random(SEED + 1);
        int hanging = 0;
        int equivalent = 0;
        for (int pair = 0; pair < PAIRS; pair++) {
            List<String> a = ruleset();
            a.replaceAll(r -> r.startsWith("-A ") && limited.nextInt(3) == 0 ? r.replaceFirst(" -[jg] ", LIMIT + "$0")
                    : r);
            List<String> b = variation(a);
            String[] policies = {policy(), policy(), policy()};
            String textA = Rulesets.filter(policies[0], policies[1], policies[2], a.toArray(String[]::new));
            String textB = Rulesets.filter(policies[0], policies[1], policies[2], b.toArray(String[]::new));
            RulesetDiff.Side sideA = Rulesets.side("a.rules", textA, Family.IPV4);
            RulesetDiff.Side sideB = Rulesets.side("b.rules", textB, Family.IPV4);
            RulesetDiff.Result result = RulesetDiff.compare(sideA, sideB, 5, NameDatabase.system());
            String context = "pair " + pair + "\n--- a\n" + textA + "--- b\n" + textB;
            Tracer[][] tracers = new Tracer[2][];
            for (int outcome = 0; outcome < 2; outcome++) {
                Assumptions assume = Assumptions.parse(List.of("limit=" + (outcome == 0 ? "match" : "nomatch")));
                tracers[outcome] = new Tracer[] {tracer(sideA, assume), tracer(sideB, assume)};
            }
            if (result.equivalent()) {
                equivalent++;
                for (Tracer[] t : tracers) {
                    for (PacketSpec packet : domain()) {
                        assertThat(t[0].trace(packet.build(Family.IPV4)).verdict()).as(context)
                                .isEqualTo(t[1].trace(packet.build(Family.IPV4)).verdict());
                    }
                }
                continue;
            }
            for (RulesetDiff.Difference d : result.differences()) {
                // The outcome whose traces must end on the rules named; the verdicts must hold for each outcome shown.
                Tracer[] named;
                List<Tracer[]> showing = new ArrayList<>();
                if (d.onlyIf().isEmpty()) {
                    assertThat(d.traced()).as(context).isTrue();
                    showing.addAll(List.of(tracers));
                    named = tracers[0];
                } else {
                    hanging++;
                    assertThat(d.onlyIf()).as(context).singleElement().asString()
                            .startsWith("`" + LIMIT.strip() + "'");
                    named = tracers[d.onlyIf().get(0).endsWith(" does not match") ? 1 : 0];
                    showing.add(named);
                }
                PacketSpec spec = new PacketSpec();
                d.packet().forEach(spec::set);
                for (Tracer[] t : showing) {
                    Trace traceA = t[0].trace(spec.build(Family.IPV4));
                    Trace traceB = t[1].trace(spec.build(Family.IPV4));
                    assertThat(traceA.verdict()).as(context + d).isEqualTo(d.a().verdict());
                    assertThat(traceB.verdict()).as(context + d).isEqualTo(d.b().verdict());
                    if (t == named) {
                        assertThat(decider(traceA)).as(context + d).isEqualTo(d.a().where());
                        assertThat(decider(traceB)).as(context + d).isEqualTo(d.b().where());
                    }
                }
            }
        }
        assertThat(equivalent).as("equivalent pairs").isGreaterThan(5);
        assertThat(hanging).as("differences hanging on the limit").isGreaterThan(5);
    }

    private static final int DEAD_RULE_RULESETS = 300;

    @Test
    void withoutARedundantRuleTheRulesetIsEquivalentAndNoPacketMeetsAnUnreachableOne() throws TraceInputException {
        int redundant = 0;
        int acrossChains = 0;
        int unreachable = 0;
        List<PacketSpec> domain = domain();
        for (int n = 0; n < DEAD_RULE_RULESETS; n++) {
            List<String> rules = ruleset();
            // Often a user chain's rule repeated in a built-in chain after its jumps, so covers lie across chains.
            List<String> user = rules.stream().filter(r -> r.startsWith("-A U")).toList();
            if (!user.isEmpty() && random.nextBoolean()) {
                String copied = user.get(random.nextInt(user.size()));
                rules.add(copied.replaceFirst("-A U\\d", "-A " + pick(RulesetDiff.CHAINS.toArray(String[]::new))));
            }
            String[] policies = {policy(), policy(), policy()};
            String text = Rulesets.filter(policies[0], policies[1], policies[2], rules.toArray(String[]::new));
            RulesetDiff.Side side = Rulesets.side("a.rules", text, Family.IPV4);
            String context = "ruleset " + n + "\n" + text;
            List<DeadRules.Finding> findings = DeadRules.find(side.ruleset(), side.locations());
            Tracer tracer = tracer(side);
            List<String> met = new ArrayList<>();
            for (PacketSpec packet : domain) {
                tracer.trace(packet.build(Family.IPV4)).steps().stream().filter(step -> !step.isPolicy())
                        .forEach(step -> met.add(step.source()));
            }
            for (DeadRules.Finding f : findings) {
                String where = side.locations().of(f.table(), f.rule());
                if (f.kind() == DeadRules.Kind.UNREACHABLE) {
                    unreachable++;
                    assertThat(met).as(context + f).doesNotContain(where);
                    continue;
                }
                redundant++;
                String chain = chainOf(text, where);
                if (coversOf(f).stream().anyMatch(cover -> !chainOf(text, cover).equals(chain))) {
                    acrossChains++;
                }
                String without = withoutLine(text, Integer.parseInt(where.substring(where.indexOf(':') + 1)));
                RulesetDiff.Result result = RulesetDiff.compare(side, Rulesets.side("b.rules", without, Family.IPV4), 5,
                        NameDatabase.system());
                assertThat(result.equivalent()).as(context + f + "\n" + result.differences()).isTrue();
            }
        }
        System.out.println("dead rules of " + DEAD_RULE_RULESETS + " random rulesets: " + redundant + " redundant ("
                + acrossChains + " covered across chains), " + unreachable + " unreachable");
        assertThat(unreachable).as("unreachable rules").isGreaterThan(30);
        assertThat(redundant).as("redundant rules").isGreaterThan(30);
        assertThat(acrossChains).as("redundant rules covered in another chain").isGreaterThan(5);
    }

    /** The rules a redundant finding names, each {@code a.rules:N}. */
    private static List<String> coversOf(DeadRules.Finding f) {
        List<String> covers = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("a\\.rules:\\d+").matcher(
                f.message().substring(f.message().indexOf(", by ")));
        while (m.find()) {
            covers.add(m.group());
        }
        return covers;
    }

    /** The chain of the rule written at {@code where} ({@code a.rules:N}) of {@code text}. */
    private static String chainOf(String text, String where) {
        String line = text.split("\n")[Integer.parseInt(where.substring(where.indexOf(':') + 1)) - 1];
        return line.split(" ")[1];
    }

    private static String withoutLine(String text, int line) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n")));
        lines.remove(line - 1);
        return String.join("\n", lines) + "\n";
    }

    private static String decider(Trace trace) {
        Step last = trace.steps().get(trace.steps().size() - 1);
        return last.isPolicy() ? "policy of " + last.chain() : last.source();
    }

    /** The counterexample of {@code d}, which must be traced, traced through both rulesets. */
    static Trace[] traces(RulesetDiff.Difference d, Tracer a, Tracer b, String context) throws TraceInputException {
        assertThat(d.traced()).as(context).isTrue();
        PacketSpec spec = new PacketSpec();
        d.packet().forEach(spec::set);
        return new Trace[] {a.trace(spec.build(Family.IPV4)), b.trace(spec.build(Family.IPV4))};
    }

    static Tracer tracer(RulesetDiff.Side side) {
        return tracer(side, Assumptions.none());
    }

    static Tracer tracer(RulesetDiff.Side side, Assumptions assumptions) {
        return new Tracer(CompiledRuleset.of(side.ruleset(), side.locations()), Host.unknown(), assumptions, false);
    }

    /** Every packet of the small domain, in each of INPUT, FORWARD and OUTPUT. */
    static List<PacketSpec> domain() {
        List<PacketSpec> out = new ArrayList<>();
        for (String chain : RulesetDiff.CHAINS) {
            for (String in : chain.equals("OUTPUT") ? new String[] {null} : IFACES) {
                for (String outIface : chain.equals("INPUT") ? new String[] {null} : IFACES) {
                    for (String src : SOURCES) {
                        for (String dst : DESTINATIONS) {
                            for (String state : STATES) {
                                for (String proto : new String[] {"tcp", "udp", "icmp"}) {
                                    for (String port : proto.equals("icmp") ? new String[] {null} : PORTS) {
                                        for (String[] sent : proto.equals("tcp") ? TCP_SENT : OTHERS_SENT) {
                                            out.add(new PacketSpec().set("in", in).set("out", outIface)
                                                    .set("local", chain.equals("OUTPUT") ? "true" : null)
                                                    .set("src", src).set("dst", dst).set("proto", proto)
                                                    .set("dport", port).set("ct_state", state).set("tos", sent[0])
                                                    .set("tcp_flags", sent[1]).set("length", sent[2]));
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

    String policy() {
        return random.nextBoolean() ? "ACCEPT" : "DROP";
    }

    private static final List<String> USER = List.of(":U1 - [0:0]", ":U2 - [0:0]");

    List<String> ruleset() {
        List<String> rules = new ArrayList<>(USER);
        for (String chain : new String[] {"INPUT", "FORWARD", "OUTPUT", "U1", "U2"}) {
            int count = random.nextInt(4);
            for (int i = 0; i < count; i++) {
                rules.add(rule(chain));
            }
        }
        return rules;
    }

    private String rule(String chain) {
        StringBuilder b = new StringBuilder("-A " + chain);
        if (!chain.startsWith("U") && !chain.equals("OUTPUT") && random.nextInt(3) == 0) {
            b.append(random.nextBoolean() ? " ! -i " : " -i ").append(pick(IFACES));
        }
        if (!chain.startsWith("U") && !chain.equals("INPUT") && random.nextInt(3) == 0) {
            b.append(" -o ").append(pick(IFACES));
        }
        if (random.nextInt(3) == 0) {
            b.append(random.nextBoolean() ? " ! -s " : " -s ").append(pick(new String[] {"192.0.2.0/25", "198.51.100.0/24"}));
        }
        if (random.nextInt(4) == 0) {
            b.append(" -d 10.0.0.0/25");
        }
        int proto = random.nextInt(4);
        if (proto > 0) {
            String p = proto == 1 ? "udp" : proto == 2 ? "icmp" : "tcp";
            b.append(" -p ").append(p);
            if (!p.equals("icmp") && random.nextBoolean()) {
                b.append(switch (random.nextInt(3)) {
                    case 0 -> " -m " + p + (random.nextBoolean() ? " ! --dport " : " --dport ") + pick(PORTS);
                    case 1 -> " -m " + p + " --dport 80:443";
                    default -> " -m multiport --dports 22,443";
                });
            }
        }
        if (random.nextInt(4) == 0) {
            b.append(" -m conntrack --ctstate ").append(pick(STATES));
        }
        if (random.nextInt(5) == 0) {
            b.append(pick(LENGTHS));
        }
        if (random.nextInt(5) == 0) {
            b.append(proto == 3 && random.nextBoolean() ? pick(TCP_ECN) : pick(ECN));
        }
        int target = random.nextInt(chain.equals("U2") ? 3 : 5);
        b.append(switch (target) {
            case 0 -> " -j ACCEPT";
            case 1 -> " -j DROP";
            case 2 -> chain.startsWith("U") ? " -j RETURN" : " -j DROP";
            case 3 -> " -j U2";
            default -> chain.equals("U1") ? " -g U2" : random.nextBoolean() ? " -j U1" : " -g U1";
        });
        return b.toString();
    }

    private List<String> variation(List<String> a) {
        List<String> b = new ArrayList<>(a);
        int rules = b.size() - USER.size();
        if (rules == 0) {
            b.add(rule("INPUT"));
            return b;
        }
        int i = USER.size() + random.nextInt(rules);
        switch (random.nextInt(5)) {
            case 0 -> b.remove(i);
            case 1 -> {
                if (i + 1 < b.size()) {
                    String next = b.get(i + 1);
                    b.set(i + 1, b.get(i));
                    b.set(i, next);
                }
            }
            case 2 -> b.set(i, b.get(i).contains("-j ACCEPT") ? b.get(i).replace("-j ACCEPT", "-j DROP")
                    : b.get(i).replace("-j DROP", "-j ACCEPT"));
            case 3 -> b.set(i, rule(b.get(i).split(" ")[1]));
            default -> moveInputToUserChain(b);
        }
        return b;
    }

    /** INPUT's rules moved into chain MOVED, which INPUT jumps to: the same ruleset for every packet. */
    private static void moveInputToUserChain(List<String> rules) {
        List<String> moved = new ArrayList<>();
        rules.replaceAll(r -> r.startsWith("-A INPUT ") ? r.replace("-A INPUT ", "-A MOVED ") : r);
        rules.removeIf(r -> r.startsWith("-A MOVED ") && moved.add(r));
        rules.add(0, ":MOVED - [0:0]");
        rules.add("-A INPUT -j MOVED");
        rules.addAll(moved);
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }
}
