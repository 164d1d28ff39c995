package io.rampart.bench;

import io.rampart.analysis.DeadRules;
import io.rampart.analysis.RulesetDiff;
import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import io.rampart.syntax.SourcedRuleset;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code diff}'s target: two 10,000-rule rulesets (INPUT jumping by source /16 into 20 user chains
 * of address-and-port rules) that differ in one rule's port, compared whole (target 5 s); the
 * dead-rule analysis {@code check} runs, over one of them, over the same rules in one chain (target
 * 5 s each) and over 100,000 rules in 10,000 chains (to finish); and two rulesets of 1,000 DNAT
 * rules, as kube-proxy writes them, walked through every table (target 5 s).
 */
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class DiffBenchmark {

    static final int RULES = 10_000;
    static final int CHAINS = 20;

    private RulesetDiff.Side a;
    private RulesetDiff.Side b;

    @Setup
    public void setUp() throws RulesetSyntaxException {
        List<String> rules = rules(new Random(RuleCorpus.SEED));
        a = side("a.rules", rules);
        b = side("b.rules", changed(rules));
    }

    /** The second ruleset: the rule in the middle with another port and, when it drops, ACCEPT. */
    static List<String> changed(List<String> rules) {
        List<String> changed = new ArrayList<>(rules);
        int middle = changed.size() / 2;
        changed.set(middle, changed.get(middle).replaceFirst("--dport (\\d+)", "--dport 1").replace("-j DROP", "-j ACCEPT"));
        return changed;
    }

    @Benchmark
    public RulesetDiff.Result diffTenThousandRules() {
        return RulesetDiff.compare(a, b, 5, NameDatabase.system());
    }

    /** {@code check}'s dead-rule analysis of one of the two rulesets (target 5 s). */
    @Benchmark
    public List<DeadRules.Finding> deadRulesTenThousandRules() {
        return DeadRules.find(a.ruleset(), a.locations());
    }

    private RulesetDiff.Side oneChain;
    private RulesetDiff.Side manyChains;

    /** The same kind of rules in INPUT alone; and 100,000 rules in 10,000 chains, as {@code bench/ruleset.awk} writes them. */
    @Setup
    public void setUpDeadRules() throws RulesetSyntaxException {
        List<String> rules = rules(new Random(RuleCorpus.SEED)).stream().skip(CHAINS)
                .map(r -> r.replaceFirst("^-A C\\d+ ", "-A INPUT ")).toList();
        oneChain = side("one.rules", rules);
        manyChains = hostFirewall("many.rules", BIG_CHAINS, BIG_RULES / BIG_CHAINS);
    }

    /** {@code check}'s dead-rule analysis of {@value #RULES} rules in INPUT alone (target 5 s). */
    @Benchmark
    public List<DeadRules.Finding> deadRulesTenThousandRulesInOneChain() {
        return DeadRules.find(oneChain.ruleset(), oneChain.locations());
    }

    /** {@code check}'s dead-rule analysis of {@value #BIG_RULES} rules in {@value #BIG_CHAINS} chains (to finish). */
    @Benchmark
    public List<DeadRules.Finding> deadRulesHundredThousandRulesInTenThousandChains() {
        return DeadRules.find(manyChains.ruleset(), manyChains.locations());
    }

    static final int BIG_RULES = 100_000;
    static final int BIG_CHAINS = 10_000;

    /**
     * A host firewall as {@code bench/ruleset.awk} writes one: INPUT accepts established
     * connections and loopback, then jumps by destination /24 (every fifth for tcp alone) into
     * {@code chains} user chains of {@code perChain} rules: tcp, udp and icmp services from
     * networks and hosts, a rate-limited LOG and a REJECT at the end.
     */
    private static RulesetDiff.Side hostFirewall(String name, int chains, int perChain) throws RulesetSyntaxException {
        Random random = new Random(RuleCorpus.SEED);
        StringBuilder text = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
                + ":OUTPUT ACCEPT [0:0]\n");
        for (int c = 1; c <= chains; c++) {
            text.append(":svc-").append(c).append(" - [0:0]\n");
        }
        text.append("-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -i lo -j ACCEPT\n");
        for (int c = 1; c <= chains; c++) {
            text.append("-A INPUT -d 10.").append((c - 1) / 256).append('.').append((c - 1) % 256).append(".0/24")
                    .append(c % 5 == 0 ? " -p tcp" : "").append(" -j svc-").append(c).append('\n');
        }
        for (int c = 1; c <= chains; c++) {
            String chain = "-A svc-" + c;
            for (int i = 1; i <= perChain - 2; i++) {
                String net = "10." + random.nextInt(256) + "." + random.nextInt(256) + ".0/24";
                int port = 1 + random.nextInt(65_000);
                text.append(chain).append(switch (i == 1 ? 0 : random.nextInt(6)) {
                    case 0 -> " -s " + net + " -p tcp -m tcp --dport " + port + " -m conntrack --ctstate NEW -j ACCEPT";
                    case 1 -> " -s 192.168." + random.nextInt(256) + "." + (1 + random.nextInt(254))
                            + "/32 -p tcp -m multiport --dports " + port + "," + (port + 1) + " -j ACCEPT";
                    case 2 -> " -d " + net + " -p udp -m udp --dport " + port + " -j ACCEPT";
                    case 3 -> " -p icmp -m icmp --icmp-type 8 -m limit --limit " + (1 + random.nextInt(20)) + "/sec -j ACCEPT";
                    case 4 -> " -m conntrack --ctstate INVALID -j DROP";
                    default -> " -i eth" + random.nextInt(4) + " -p tcp -m tcp --sport 1024:65535 --dport " + port
                            + " -j ACCEPT";
                }).append('\n');
            }
            text.append(chain).append(" -m limit --limit 5/min -j LOG --log-prefix \"svc-").append(c).append(" drop: \"\n")
                    .append(chain).append(" -j REJECT --reject-with icmp-port-unreachable\n");
        }
        text.append("COMMIT\n");
        SourcedRuleset parsed = new RulesetParser(StandardExtensions.registry(), Family.IPV4, NameDatabase.system())
                .parseWithLines(text.toString());
        return new RulesetDiff.Side(name, parsed.ruleset(), (table, index) -> name + ":" + parsed.lineOf(table, index));
    }

    static final int SERVICES = 1_000;

    private RulesetDiff.Side natA;
    private RulesetDiff.Side natB;

    /**
     * Two rulesets of {@value #SERVICES} kube-proxy-like DNAT rules in nat PREROUTING (one service
     * address and port each, sent on to a backend) and a filter table that reads the translated
     * destinations, differing in one backend's address.
     */
    @Setup
    public void setUpNat() throws RulesetSyntaxException {
        natA = natSide("a.rules", -1);
        natB = natSide("b.rules", SERVICES / 2);
    }

    /** {@code diff} of the two nat rulesets, walked through every table (target 5 s). */
    @Benchmark
    public RulesetDiff.Result diffThousandDnatRules() {
        return RulesetDiff.compare(natA, natB, 5, NameDatabase.system());
    }

    /** Service {@code i} at 10.96.x.y port 80 + i % 1000 goes to 10.244.x.y port 8080; {@code moved}: elsewhere. */
    private static RulesetDiff.Side natSide(String name, int moved) throws RulesetSyntaxException {
        StringBuilder text = new StringBuilder("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
                + ":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
        for (int i = 0; i < SERVICES; i++) {
            String backend = (i == moved ? "10.245." : "10.244.") + (i / 250) + "." + (i % 250 + 1);
            text.append("-A PREROUTING -d 10.96.").append(i / 250).append('.').append(i % 250 + 1)
                    .append("/32 -p tcp -m tcp --dport ").append(80 + i % 1000).append(" -j DNAT --to-destination ")
                    .append(backend).append(":8080\n");
        }
        text.append("COMMIT\n*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n")
                .append("-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n")
                .append("-A FORWARD -d 10.244.0.0/16 -p tcp -m tcp --dport 8080 -m conntrack --ctstate DNAT")
                .append(" -j ACCEPT\n")
                .append("COMMIT\n");
        SourcedRuleset parsed = new RulesetParser(StandardExtensions.registry(), Family.IPV4, NameDatabase.system())
                .parseWithLines(text.toString());
        return new RulesetDiff.Side(name, parsed.ruleset(), (table, index) -> name + ":" + parsed.lineOf(table, index));
    }

    static List<String> rules(Random random) {
        List<String> rules = new ArrayList<>(ChainedFilterTable.jumps(CHAINS));
        while (rules.size() < RULES) {
            int c = random.nextInt(CHAINS);
            String proto = random.nextBoolean() ? "tcp" : "udp";
            rules.add("-A C" + c + " -s 10." + c + "." + random.nextInt(256) + ".0/24 -d 192.168."
                    + random.nextInt(256) + "." + random.nextInt(256) + "/32 -p " + proto + " -m " + proto
                    + " --dport " + (2 + random.nextInt(65_000)) + (random.nextBoolean() ? " -j ACCEPT" : " -j DROP"));
        }
        return rules;
    }

    private static RulesetDiff.Side side(String name, List<String> rules) throws RulesetSyntaxException {
        SourcedRuleset parsed = ChainedFilterTable.parse(CHAINS, rules);
        return new RulesetDiff.Side(name, parsed.ruleset(), (table, index) -> name + ":" + parsed.lineOf(table, index));
    }
}
