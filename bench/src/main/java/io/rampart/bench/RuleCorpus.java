package io.rampart.bench;

import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.Rule;
import io.rampart.model.Table;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.NameDatabase;
import io.rampart.syntax.RuleParser;
import io.rampart.syntax.RuleSyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * A deterministic corpus of filter-table rules in iptables syntax, mixed like real rulesets:
 * addresses with masks, interfaces, tcp/udp ports, port ranges and service names, negations,
 * jumps to user chains and the common verdicts. Extensions beyond tcp and udp (conntrack,
 * comment, multiport, limit, LOG, REJECT, MARK) are used only when the registry has them for the
 * filter table, so the corpus grows with the registry; for a given registry and seed it is always
 * the same.
 */
public final class RuleCorpus {

    /** Fixed so that every run measures the same rules. */
    public static final long SEED = 20_240_601L;

    private static final Family FAMILY = Family.IPV4;
    private static final String[] INTERFACES = {"eth0", "eth1", "ens3", "enp1s0", "wlan0", "br-lan", "wg0", "veth+"};
    private static final String[] TCP_SERVICES = {"ssh", "http", "https", "smtp", "domain", "imaps"};
    private static final String[] UDP_SERVICES = {"domain", "ntp", "https"};
    private static final int[] TCP_PORTS = {22, 25, 53, 80, 443, 587, 993, 3306, 5432, 6443, 8080, 9100};
    private static final int[] UDP_PORTS = {53, 67, 68, 123, 161, 500, 4500, 51820};
    private static final String[] PORT_RANGES = {"1024:65535", "6000:6063", "30000:32767", "49152:65535", "0:1023"};
    /** Host addresses are the commonest in real rulesets, then /24 networks. */
    private static final int[] MASKS = {32, 32, 32, 32, 24, 24, 24, 16, 16, 12, 8, 28, 30, 0};
    private static final String[] CT_STATES = {"ESTABLISHED,RELATED", "RELATED,ESTABLISHED", "NEW", "INVALID",
            "NEW,ESTABLISHED"};
    private static final String[] MULTIPORTS = {"80,443", "25,465,587", "8000:8100,9090", "139,445", "5060,5061"};
    private static final String[] RATES = {"5/min", "10/second", "3/hour", "100/minute"};

    private final Random random;
    private final Optional<ExtensionSpec> conntrack;
    private final Optional<ExtensionSpec> comment;
    private final Optional<ExtensionSpec> multiport;
    private final Optional<ExtensionSpec> limit;
    private final Optional<ExtensionSpec> log;
    private final Optional<ExtensionSpec> reject;
    private final Optional<ExtensionSpec> mark;
    private final String[] tcpServices;
    private final String[] udpServices;

    public RuleCorpus(ExtensionRegistry registry, long seed) {
        this.random = new Random(seed);
        this.conntrack = usable(registry.match("conntrack", FAMILY));
        this.comment = usable(registry.match("comment", FAMILY));
        this.multiport = usable(registry.match("multiport", FAMILY));
        this.limit = usable(registry.match("limit", FAMILY));
        this.log = usable(registry.target("LOG", FAMILY));
        this.reject = usable(registry.target("REJECT", FAMILY));
        this.mark = usable(registry.target("MARK", FAMILY));
        // Service names come from /etc/services; a machine without one still gets a valid corpus.
        this.tcpServices = known(TCP_SERVICES, "tcp");
        this.udpServices = known(UDP_SERVICES, "udp");
    }

    /** The corpus used by every benchmark. */
    public static RuleCorpus standard(ExtensionRegistry registry) {
        return new RuleCorpus(registry, SEED);
    }

    /** The optional extensions this corpus spells, by name. */
    public Set<String> extensionsUsed() {
        Set<String> names = new TreeSet<>();
        for (Optional<ExtensionSpec> spec : List.of(conntrack, comment, multiport, limit, log, reject, mark)) {
            spec.ifPresent(s -> names.add(s.name()));
        }
        return names;
    }

    /**
     * {@code count} {@code -A} lines spread over the built-in chains of the filter table and
     * {@code userChains} user chains named {@code user-NNN}.
     */
    public List<String> lines(int count, int userChains) {
        List<String> chains = new ArrayList<>();
        for (int i = 0; i < userChains; i++) {
            chains.add(String.format("user-%03d", i));
        }
        List<String> builtins = Table.FILTER.builtinChains();
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (random.nextBoolean()) {
                out.add(rule(builtins.get(random.nextInt(builtins.size())), chains));
            } else {
                int at = random.nextInt(userChains);
                out.add(rule(chains.get(at), chains.subList(at + 1, userChains)));
            }
        }
        return out;
    }

    /**
     * iptables-save text of a filter table with {@code chains} user chains of {@code rulesPerChain}
     * rules each. A chain jumps only to chains declared after it, so the jumps form no loop.
     */
    public String ruleset(int chains, int rulesPerChain) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < chains; i++) {
            names.add(String.format("user-%04d", i));
        }
        StringBuilder out = new StringBuilder(chains * rulesPerChain * 100);
        out.append("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        for (String name : names) {
            out.append(':').append(name).append(" - [0:0]\n");
        }
        for (int i = 0; i < chains; i++) {
            for (int r = 0; r < rulesPerChain; r++) {
                out.append(rule(names.get(i), names.subList(i + 1, chains))).append('\n');
            }
        }
        return out.append("COMMIT\n").toString();
    }

    /**
     * Parses every line, failing loudly on the first that does not parse or that stands for more
     * than one rule: a benchmark reporting rules per second must parse exactly one rule per line.
     */
    public static List<Rule> parseAll(RuleParser parser, List<String> lines) {
        List<Rule> rules = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            List<Rule> parsed;
            try {
                parsed = parser.parseLine(lines.get(i), Table.FILTER);
            } catch (RuleSyntaxException e) {
                throw new IllegalStateException("corpus line " + (i + 1) + " does not parse: " + e.getMessage()
                        + " (column " + e.column() + ")\n  " + lines.get(i), e);
            }
            if (parsed.size() != 1) {
                throw new IllegalStateException("corpus line " + (i + 1) + " gives " + parsed.size()
                        + " rules, not 1\n  " + lines.get(i));
            }
            rules.add(parsed.get(0));
        }
        return rules;
    }

    private String rule(String chain, List<String> jumpTargets) {
        Optional<Hook> hook = Table.FILTER.builtinHook(chain);
        StringBuilder out = new StringBuilder(128).append("-A ").append(chain);
        if (chance(55)) {
            option(out, "-s", network());
        }
        if (chance(35)) {
            option(out, "-d", network());
        }
        if (hook.map(h -> h != Hook.OUTPUT).orElse(true) && chance(30)) {
            option(out, "-i", pick(INTERFACES));
        }
        if (hook.map(h -> h != Hook.INPUT).orElse(true) && chance(20)) {
            option(out, "-o", pick(INTERFACES));
        }
        int protocol = random.nextInt(100);
        if (protocol < 45) {
            ports(out, "tcp", tcpServices, TCP_PORTS);
        } else if (protocol < 70) {
            ports(out, "udp", udpServices, UDP_PORTS);
        } else if (protocol < 80) {
            option(out, "-p", chance(50) ? "icmp" : "1");
        }
        if (conntrack.isPresent() && chance(25)) {
            out.append(" -m conntrack --ctstate ").append(pick(CT_STATES));
        }
        if (limit.isPresent() && chance(5)) {
            out.append(" -m limit --limit ").append(pick(RATES));
            if (chance(50)) {
                out.append(" --limit-burst ").append(1 + random.nextInt(20));
            }
        }
        if (comment.isPresent() && chance(15)) {
            out.append(" -m comment --comment \"rule ").append(random.nextInt(10_000)).append(" of ").append(chain)
                    .append('"');
        }
        target(out, chain, hook, jumpTargets);
        return out.toString();
    }

    private void ports(StringBuilder out, String protocol, String[] services, int[] ports) {
        out.append(" -p ").append(protocol);
        if (multiport.isPresent() && chance(15)) {
            out.append(" -m multiport --dports ").append(pick(MULTIPORTS));
            return;
        }
        if (chance(50)) {
            // iptables-save's own spelling names the protocol's match; hand-written rules usually do not.
            out.append(" -m ").append(protocol);
        }
        if (chance(15)) {
            option(out, "--sport", pick(PORT_RANGES));
        }
        if (chance(85)) {
            int kind = random.nextInt(100);
            String port = kind < 50 || services.length == 0 ? Integer.toString(ports[random.nextInt(ports.length)])
                    : kind < 75 ? pick(services) : pick(PORT_RANGES);
            option(out, chance(10) ? "--destination-port" : "--dport", port);
        }
        if (protocol.equals("tcp") && chance(10)) {
            out.append(chance(80) ? " --syn" : " --tcp-flags SYN,RST,ACK SYN");
        }
    }

    private void target(StringBuilder out, String chain, Optional<Hook> hook, List<String> jumpTargets) {
        int roll = random.nextInt(100);
        if (roll < 15 && !jumpTargets.isEmpty()) {
            out.append(chance(90) ? " -j " : " -g ").append(jumpTargets.get(random.nextInt(jumpTargets.size())));
        } else if (roll < 23 && log.isPresent()) {
            out.append(" -j LOG --log-prefix \"").append(chain.toLowerCase(Locale.ROOT)).append(": \"");
        } else if (roll < 31 && reject.filter(r -> allowedAt(r, hook)).isPresent()) {
            out.append(" -j REJECT");
        } else if (roll < 35 && mark.filter(m -> allowedAt(m, hook)).isPresent()) {
            out.append(" -j MARK --set-mark 0x").append(Integer.toHexString(1 + random.nextInt(255)));
        } else if (roll < 45 && hook.isEmpty()) {
            out.append(" -j RETURN");
        } else if (roll < 70) {
            out.append(" -j DROP");
        } else {
            out.append(" -j ACCEPT");
        }
    }

    /** An address, sometimes with a mask that leaves host bits set, which canonicalization clears. */
    private String network() {
        int mask = MASKS[random.nextInt(MASKS.length)];
        if (mask == 0) {
            return "0.0.0.0/0";
        }
        String address = switch (random.nextInt(4)) {
            case 0 -> "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256);
            case 1 -> "192.168." + random.nextInt(256) + "." + random.nextInt(256);
            case 2 -> "172." + (16 + random.nextInt(16)) + "." + random.nextInt(256) + "." + random.nextInt(256);
            default -> (1 + random.nextInt(223)) + "." + random.nextInt(256) + "." + random.nextInt(256) + "."
                    + random.nextInt(256);
        };
        return mask == 32 && chance(50) ? address : address + "/" + mask;
    }

    /** Appends {@code [!] NAME VALUE}, negated one time in ten as in real rulesets. */
    private void option(StringBuilder out, String name, String value) {
        if (chance(10)) {
            out.append(" !");
        }
        out.append(' ').append(name).append(' ').append(value);
    }

    private boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    private String pick(String[] choices) {
        return choices[random.nextInt(choices.length)];
    }

    /** Only extensions the filter table accepts, since every corpus rule is a filter rule. */
    private static Optional<ExtensionSpec> usable(Optional<ExtensionSpec> spec) {
        return spec.filter(s -> s.tables().contains(Table.FILTER));
    }

    private static boolean allowedAt(ExtensionSpec spec, Optional<Hook> hook) {
        return hook.map(h -> spec.hooks().contains(h)).orElse(true);
    }

    private static String[] known(String[] services, String protocol) {
        return Arrays.stream(services)
                .filter(s -> NameDatabase.system().servicePort(s, protocol).isPresent())
                .toArray(String[]::new);
    }
}
