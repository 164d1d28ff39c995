package io.rampart.trace;

import io.rampart.model.Family;
import io.rampart.model.Match;
import io.rampart.model.Option;
import io.rampart.model.Rule;
import io.rampart.model.extension.NameDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Compiles a rule's canonical options into conditions, once per ruleset. */
final class Conditions {

    /** Matches whose result depends on what earlier packets did, or on chance. */
    private static final Set<String> HISTORY = Set.of("limit", "hashlimit", "recent", "quota", "statistic",
            "connlimit", "time", "connbytes", "rateest");

    /** Matches that match every packet: a note, a counter. */
    private static final Set<String> COUNTING_ONLY = Set.of("comment", "nfacct");

    private Conditions() {
    }

    static List<Condition> compile(Rule rule, Family family) {
        List<Condition> out = new ArrayList<>();
        for (Option option : rule.header()) {
            out.add(header(option, family));
        }
        for (Match match : rule.matches()) {
            if (HISTORY.contains(match.extension())) {
                out.add(history(match));
                continue;
            }
            boolean header = PacketConditions.header(match.extension()).isPresent();
            if (header) {
                out.add(PacketConditions.headerPresent(match.extension()));
            }
            for (Option option : match.options()) {
                Condition condition = match(match.extension(), option, family);
                if (condition != null) {
                    out.add(condition);
                }
            }
            if (match.options().isEmpty() && !header && !COUNTING_ONLY.contains(match.extension())) {
                out.add(match(match.extension(), null, family));
            }
        }
        return List.copyOf(out);
    }

    /** One assumption for the whole match; a random statistic says its probability. */
    private static Condition history(Match match) {
        StringBuilder text = new StringBuilder("-m " + match.extension());
        for (Option option : match.options()) {
            text.append(' ').append(text(null, option).replaceFirst("^(! )?-", "$1--"));
        }
        String why = match.option("probability").map(p -> "true with probability " + Double.parseDouble(p.arg()))
                .orElse(match.extension().equals("statistic") ? "true for one packet in --every"
                        : "depends on earlier packets or the clock");
        double probability = match.extension().equals("statistic")
                ? match.option("probability").map(p -> Double.parseDouble(p.arg())).orElse(Double.NaN) : Double.NaN;
        if (!Double.isNaN(probability) && match.option("probability").get().negated()) {
            probability = 1 - probability;
        }
        return new Condition.Chance(text.toString(), match.extension(), why, probability);
    }

    static String text(String extension, Option option) {
        StringBuilder b = new StringBuilder(extension == null ? "" : "-m " + extension + " ");
        if (option == null) {
            return b.toString().trim();
        }
        if (option.negated()) {
            b.append("! ");
        }
        b.append(extension == null ? "-" : "--").append(option.name());
        for (String arg : option.args()) {
            b.append(' ').append(arg);
        }
        return b.toString();
    }

    private static Condition header(Option o, Family family) {
        String text = text(null, o);
        boolean neg = o.negated();
        return switch (o.name()) {
            case "s" -> {
                Network net = Network.parse(o.arg(), family);
                yield check(text, null, f -> MatchResult.of(net.contains(f.packet.srcBytes())).negatedIf(neg));
            }
            case "d" -> {
                Network net = Network.parse(o.arg(), family);
                yield check(text, null, f -> MatchResult.of(net.contains(f.packet.dstBytes())).negatedIf(neg));
            }
            case "i" -> check(text, null, f -> MatchResult.of(Interfaces.matches(o.arg(), f.packet.in())).negatedIf(neg));
            case "o" -> check(text, null, f -> MatchResult.of(Interfaces.matches(o.arg(), f.packet.out())).negatedIf(neg));
            case "p" -> {
                int proto = NameDatabase.system().protocolNumber(o.arg()).orElseThrow();
                yield check(text, null, f -> MatchResult.of(f.packet.proto() == proto).negatedIf(neg));
            }
            case "f" -> check(text, null, f -> MatchResult.of(false).negatedIf(neg));
            default -> new Condition.Unknown(text, null, "header option -" + o.name() + " is not modelled");
        };
    }

    private static Condition match(String ext, Option o, Family family) {
        if (o == null) {
            return new Condition.Unknown(text(ext, null), ext, "-m " + ext + " is not modelled by the tracer");
        }
        String text = text(ext, o);
        return switch (ext) {
            case "comment", "nfacct" -> null;
            case "ah", "esp", "ipcomp", "hbh", "dst", "rt", "frag", "srh" -> PacketConditions.headerField(ext, o, text);
            case "tcp", "udp", "sctp", "dccp", "multiport" -> PacketConditions.ports(ext, o, text);
            case "icmp", "icmp6" -> PacketConditions.icmp(ext, o, text);
            case "conntrack", "state", "connmark", "mark" -> ConnConditions.of(ext, o, text, family);
            case "iprange", "addrtype", "length", "ttl", "hl", "tos", "dscp", "pkttype", "physdev" ->
                    PacketConditions.of(ext, o, text, family);
            case "set" -> new Condition.Unknown(text, ext, "ipset contents are kernel state the tracer does not read");
            default -> new Condition.Unknown(text, ext, "-m " + ext + " is not modelled by the tracer");
        };
    }

    static Condition check(String text, String extension, Condition.Test test) {
        return new Condition.Check(text, extension, test);
    }

    /** Inclusive bounds of {@code N} or {@code N:M}. */
    static int[] range(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            int n = Integer.parseInt(text);
            return new int[] {n, n};
        }
        return new int[] {Integer.parseInt(text.substring(0, colon)), Integer.parseInt(text.substring(colon + 1))};
    }

    static boolean within(int value, int[] range) {
        return value >= range[0] && value <= range[1];
    }

    /** {@code VALUE[/MASK]} as two numbers, the mask all ones when absent. */
    static long[] valueMask(String text, long allOnes) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            return new long[] {Long.decode(text), allOnes};
        }
        return new long[] {Long.decode(text.substring(0, slash)), Long.decode(text.substring(slash + 1))};
    }
}
