package io.rampart.trace;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RuleParser;
import io.rampart.syntax.RuleSyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random IPv4 rulesets over raw, mangle, nat and filter for the router of the differential
 * test (interfaces {@code ra} towards the sender, {@code rc} towards the far side): user chains,
 * jumps and gotos, NAT, NOTRACK, marks, TTL, TOS and ECN changes, conntrack states and negations. Rules
 * the model refuses are left out, so every ruleset loads.
 */
final class RandomRulesets {

    private static final String[] SOURCES = {"192.0.2.1/32", "192.0.2.0/24", "192.0.2.77/32", "10.0.0.0/8"};
    private static final String[] DESTINATIONS = {"192.0.2.2/32", "198.51.100.0/24", "198.51.100.2/32",
            "203.0.113.0/24", "198.51.100.1/32"};
    private static final String[] SOURCES6 = {"2001:db8:1::1/128", "2001:db8:1::/64", "2001:db8:1::77/128",
            "2001:db8:ff::/48"};
    private static final String[] DESTINATIONS6 = {"2001:db8:1::2/128", "2001:db8:2::/64", "2001:db8:2::2/128",
            "2001:db8:3::/64", "2001:db8:2::1/128"};
    private static final String[] STATES = {"NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED", "DNAT",
            "SNAT"};

    private final Random random;
    private final Family family;
    private final boolean v6;
    private final RuleParser parser;

    RandomRulesets(long seed) {
        this(seed, Family.IPV4);
    }

    RandomRulesets(long seed, Family family) {
        this.random = new Random(seed);
        this.family = family;
        this.v6 = family == Family.IPV6;
        this.parser = new RuleParser(StandardExtensions.registry(), family, NameDatabase.system());
    }

    /** The raw table's first rule: which packets the kernel traces. */
    private String traceRule = "-A PREROUTING -i ra -j TRACE";

    /** Trace the packets this host sends instead of those arriving on {@code ra}. */
    RandomRulesets tracingOutput(String rule) {
        this.traceRule = rule;
        return this;
    }

    /** Whether the nat table is left out and only some built-in chains of mangle and filter are named. */
    private boolean partial;

    /**
     * Leave the nat table out, and name each built-in chain of mangle and filter (declared or with
     * rules) only at random: with nf_tables the tables and base chains a file does not name do not
     * exist, and a packet meets no hook of theirs.
     */
    RandomRulesets partial() {
        this.partial = true;
        return this;
    }

    String ruleset() {
        StringBuilder b = new StringBuilder();
        table(b, Table.RAW, List.of("PREROUTING", "OUTPUT"), List.of(), traceRule);
        table(b, Table.MANGLE, some(List.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING")),
                List.of("M1", "M2"), null);
        if (!partial) {
            table(b, Table.NAT, List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"), List.of("N1"), null);
        }
        table(b, Table.FILTER, some(List.of("INPUT", "FORWARD", "OUTPUT")), List.of("F1", "F2"), null);
        return b.toString();
    }

    /** All of {@code chains}, or for a partial ruleset each with even odds. */
    private List<String> some(List<String> chains) {
        return partial ? chains.stream().filter(c -> random.nextBoolean()).toList() : chains;
    }

    private void table(StringBuilder b, Table table, List<String> builtins, List<String> users, String first) {
        b.append('*').append(table.label()).append('\n');
        for (String chain : builtins) {
            boolean drop = table == Table.FILTER && random.nextInt(3) == 0;
            b.append(':').append(chain).append(drop ? " DROP" : " ACCEPT").append(" [0:0]\n");
        }
        for (String chain : users) {
            b.append(':').append(chain).append(" - [0:0]\n");
        }
        if (first != null) {
            b.append(first).append('\n');
        }
        for (String chain : builtins) {
            rules(b, table, chain, users, 2 + random.nextInt(5));
        }
        for (int i = 0; i < users.size(); i++) {
            rules(b, table, users.get(i), users.subList(i + 1, users.size()), 1 + random.nextInt(4));
        }
        b.append("COMMIT\n");
    }

    private void rules(StringBuilder b, Table table, String chain, List<String> callable, int count) {
        for (int made = 0, tries = 0; made < count && tries < 50; tries++) {
            String rule = "-A " + chain + conditions(chain) + " " + target(table, chain, callable);
            try {
                parser.parseLine(rule, table);
                b.append(rule.strip()).append('\n');
                made++;
            } catch (RuleSyntaxException refused) {
                // The generator proposes freely; only rules the model (and so the kernel) takes are kept.
            }
        }
    }

    private String conditions(String chain) {
        StringBuilder c = new StringBuilder();
        if (chance(4)) {
            c.append(not()).append(" -s ").append(pick(v6 ? SOURCES6 : SOURCES));
        }
        if (chance(4)) {
            c.append(not()).append(" -d ").append(pick(v6 ? DESTINATIONS6 : DESTINATIONS));
        }
        boolean in = !chain.equals("OUTPUT") && !chain.equals("POSTROUTING");
        boolean out = !chain.equals("PREROUTING") && !chain.equals("INPUT");
        if (in && chain.length() > 2 && chance(5)) {
            c.append(not()).append(" -i ").append(pick(new String[] {"ra", "rc", "r+"}));
        }
        if (out && chain.length() > 2 && chance(5)) {
            c.append(not()).append(" -o ").append(pick(new String[] {"ra", "rc", "r+"}));
        }
        switch (random.nextInt(5)) {
            case 0 -> c.append(" -p tcp").append(tcp());
            case 1 -> c.append(" -p udp").append(chance(2) ? not() + " --dport " + port() : "");
            case 2 -> c.append(v6 ? " -p ipv6-icmp" : " -p icmp").append(chance(2) ? (v6 ? " -m icmp6 --icmpv6-type "
                    : " --icmp-type ") + pick(new String[] {"echo-request", "echo-reply", v6 ? "destination-unreachable"
                    : "any"}) : "");
            default -> { }
        }
        if (chance(4)) {
            c.append(" -m conntrack").append(not()).append(" --ctstate ").append(states());
        }
        if (chance(6)) {
            c.append(" -m mark").append(not()).append(" --mark ").append(random.nextInt(4));
        }
        if (chance(8)) {
            c.append(" -m connmark").append(not()).append(" --mark ").append(random.nextInt(4));
        }
        if (chance(7)) {
            c.append(v6 ? " -m hl --hl-" : " -m ttl --ttl-").append(pick(new String[] {"gt", "lt", "eq"})).append(' ')
                    .append(pick(new String[] {"1", "2", "63", "64", "100"}));
        }
        if (v6 && chance(8)) {
            c.append(" -m dscp").append(not()).append(" --dscp ").append(pick(new String[] {"0", "4", "10"}));
        } else if (!v6 && chance(8)) {
            c.append(" -m tos").append(not()).append(" --tos ")
                    .append(pick(new String[] {"0x10", "0x00", "0x28", "0x08/0x0c"}));
        }
        if (chance(8)) {
            c.append(" -m length").append(not()).append(" --length ").append(pick(v6 ? new String[] {"48", "60",
                    "0:50", "55:100"} : new String[] {"28", "40", "0:30", "35:100"}));
        }
        if (chance(8)) {
            c.append(" -m ecn").append(not()).append(" --ecn-ip-ect ").append(random.nextInt(4));
        }
        if (chance(8)) {
            c.append(" -m addrtype").append(not()).append(" --dst-type ").append(pick(new String[] {"LOCAL",
                    "UNICAST", v6 ? "LOCAL,UNICAST" : "LOCAL,BROADCAST"}));
        }
        if (chance(10)) {
            c.append(" -m iprange").append(not()).append(v6 ? " --dst-range 2001:db8:2::-2001:db8:2::1"
                    : " --dst-range 198.51.100.0-198.51.100.1");
        }
        if (chance(10)) {
            c.append(" -m comment --comment x");
        }
        return c.toString();
    }

    private String tcp() {
        StringBuilder c = new StringBuilder();
        if (chance(2)) {
            c.append(not()).append(" --dport ").append(port());
        }
        if (chance(4)) {
            c.append(not()).append(" --sport 20000:20100");
        }
        if (chance(3)) {
            c.append(chance(2) ? not() + " --syn" : " --tcp-flags SYN,ACK,RST,FIN " + pick(new String[] {"ACK",
                    "SYN", "SYN,ACK", "RST", "FIN,ACK"}));
        }
        if (chance(5)) {
            c.append(" -m multiport").append(not()).append(" --dports 22,80:90,443");
        }
        if (chance(5)) {
            c.append(" -m ecn").append(not()).append(pick(new String[] {" --ecn-tcp-ece", " --ecn-tcp-cwr"}));
        }
        return c.toString();
    }

    private String target(Table table, String chain, List<String> callable) {
        List<String> options = new ArrayList<>(List.of("-j ACCEPT", "", "-j LOG"));
        if (table != Table.NAT) {
            options.add("-j DROP"); // iptables refuses DROP in nat
        }
        if (!callable.isEmpty()) {
            String user = pick(callable.toArray(String[]::new));
            options.add("-j " + user);
            options.add("-j " + user);
            options.add("-g " + user);
        }
        if (chain.length() <= 2 || chance(4)) {
            options.add("-j RETURN");
        }
        switch (table) {
            case RAW -> options.addAll(List.of("-j NOTRACK", "-j CT --notrack"));
            case MANGLE -> options.addAll(List.of("-j MARK --set-mark " + random.nextInt(4),
                    "-j MARK --or-mark 2", "-j CONNMARK --set-mark " + random.nextInt(4), "-j CONNMARK --save-mark",
                    "-j CONNMARK --restore-mark", "-j TOS " + pick(new String[] {"--set-tos 0x10",
                        "--set-tos 0x10/0x3f", "--xor-tos 0x28", "--and-tos 0x0f"}), "-j DSCP --set-dscp 10",
                    "-j ECN --ecn-ip-ect " + random.nextInt(4), "-j ECN --ecn-tcp-remove",
                    hl("set") + pick(new String[] {"1", "2", "100"}), hl("inc") + "1", hl("dec") + "1"));
            case NAT -> options.addAll(nat(chain));
            case FILTER -> options.addAll(List.of("-j REJECT", "-j MARK --set-mark 1"));
            default -> { }
        }
        return pick(options.toArray(String[]::new));
    }

    private String hl(String how) {
        return v6 ? "-j HL --hl-" + how + " " : "-j TTL --ttl-" + how + " ";
    }

    private List<String> nat(String chain) {
        if (v6) {
            return switch (chain) {
                case "PREROUTING", "OUTPUT" -> List.of("-j DNAT --to-destination 2001:db8:2::2",
                        "-j DNAT --to-destination 2001:db8:1::2", "-j DNAT --to-destination 2001:db8:3::9",
                        "-j NETMAP --to 2001:db8:2::/64");
                case "POSTROUTING", "INPUT" -> List.of("-j SNAT --to-source 2001:db8:2::1", "-j MASQUERADE",
                        "-j NETMAP --to 2001:db8:1::/64");
                default -> List.of();
            };
        }
        return switch (chain) {
            case "PREROUTING", "OUTPUT" -> List.of("-j DNAT --to-destination 198.51.100.2",
                    "-j DNAT --to-destination 192.0.2.2", "-j DNAT --to-destination 203.0.113.9",
                    "-j NETMAP --to 198.51.100.0/24");
            case "POSTROUTING", "INPUT" -> List.of("-j SNAT --to-source 198.51.100.1", "-j MASQUERADE",
                    "-j NETMAP --to 192.0.2.0/24");
            default -> List.of();
        };
    }

    private String states() {
        List<String> states = new ArrayList<>();
        for (String state : STATES) {
            if (chance(3)) {
                states.add(state);
            }
        }
        return states.isEmpty() ? "NEW" : String.join(",", states);
    }

    private String port() {
        return pick(new String[] {"22", "53", "80", "443", "8080", "1:1024"});
    }

    private String not() {
        return chance(4) ? " !" : "";
    }

    private boolean chance(int oneIn) {
        return random.nextInt(oneIn) == 0;
    }

    private String pick(String[] options) {
        return options[random.nextInt(options.length)];
    }
}
