package io.rampart.api;

import io.rampart.api.LiveRulesets.LiveChain;
import io.rampart.api.LiveRulesets.LiveRule;
import io.rampart.api.LiveRulesets.LiveTable;
import io.rampart.api.LiveRulesets.Snapshot;
import io.rampart.api.SearchResult.Hit;
import io.rampart.model.Failure;
import io.rampart.model.Family;
import io.rampart.model.Match;
import io.rampart.model.Option;
import io.rampart.model.Rule;
import io.rampart.model.extension.Addresses;
import io.rampart.trace.Prefix;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Finds chains and rules in the live ruleset by what a person remembers of them: a chain's name or
 * part of a rule (case ignored), an address or network (the rules whose {@code -s} or {@code -d}
 * overlaps it), a port (the rules whose port options include it) or a {@code file:line} of the
 * ruleset file. Chains whose name holds the query come first, the exact name before the others.
 */
final class RuleSearch {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    private static final Pattern PORT = Pattern.compile("\\d{1,5}");
    private static final Pattern SOURCE = Pattern.compile(".*\\D.*:\\d+");
    /** The options whose values are ports, ranges ({@code a:b}) or lists of them ({@code a,b:c}). */
    private static final Set<String> PORT_OPTIONS = Set.of("sport", "dport", "sports", "dports", "ports");

    private RuleSearch() {
    }

    static SearchResult search(Snapshot snapshot, String query, String limitText) {
        String q = query == null ? "" : query.strip();
        if (q.isEmpty()) {
            throw new Failure(Failure.Category.INPUT, "search needs a query: q=NAME, text, address, port or"
                    + " file:line");
        }
        int limit = limit(limitText);
        Family family = snapshot.parsed().family();
        Prefix network = network(q, family);
        String as;
        Predicate<LiveRule> matches;
        if (network != null) {
            as = "address";
            matches = rule -> overlaps(rule.rule(), network, family);
        } else if (PORT.matcher(q).matches() && Integer.parseInt(q) <= 65_535) {
            as = "port";
            int port = Integer.parseInt(q);
            matches = rule -> hasPort(rule.rule(), port);
        } else if (SOURCE.matcher(q).matches()) {
            as = "source";
            matches = rule -> rule.source() != null && (rule.source().equals(q) || rule.source().endsWith("/" + q));
        } else {
            as = "text";
            String lower = q.toLowerCase(Locale.ROOT);
            // Past "-A CHAIN": the chain's own name is found as a chain, not as each of its rules.
            matches = rule -> rule.text().substring(rule.rule().chain().length() + 3).toLowerCase(Locale.ROOT)
                    .contains(lower);
        }
        List<Hit> chains = new ArrayList<>();
        List<Hit> rules = new ArrayList<>();
        int total = 0;
        String lower = q.toLowerCase(Locale.ROOT);
        for (LiveTable table : snapshot.tables()) {
            for (LiveChain chain : table.chains()) {
                if (chain.name().toLowerCase(Locale.ROOT).contains(lower)) {
                    total++;
                    chains.add(new Hit(table.label(), chain.name(), null, null, null));
                }
                for (LiveRule rule : chain.rules()) {
                    if (matches.test(rule)) {
                        total++;
                        if (rules.size() < limit) {
                            rules.add(new Hit(table.label(), chain.name(), rule.number(), rule.text(),
                                    rule.source()));
                        }
                    }
                }
            }
        }
        chains.sort(Comparator.comparing((Hit h) -> !h.chain().equalsIgnoreCase(q))
                .thenComparing(Hit::chain, NaturalOrder.INSTANCE));
        List<Hit> hits = new ArrayList<>(chains.subList(0, Math.min(limit, chains.size())));
        hits.addAll(rules.subList(0, Math.min(limit - hits.size(), rules.size())));
        return new SearchResult(q, as, total, hits);
    }

    private static int limit(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_LIMIT;
        }
        if (!text.matches("\\d{1,4}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > MAX_LIMIT) {
            throw new Failure(Failure.Category.INPUT, "limit must be a number from 1 to " + MAX_LIMIT + ", not `"
                    + text + "'");
        }
        return Integer.parseInt(text);
    }

    /** The query as an address or network of the family, or null when it is not one. */
    private static Prefix network(String q, Family family) {
        int slash = q.indexOf('/');
        String address = slash < 0 ? q : q.substring(0, slash);
        if (Addresses.parseLiteral(address, family) == null) {
            return null;
        }
        String length = slash < 0 ? null : q.substring(slash + 1);
        if (length != null && (!length.matches("\\d{1,3}") || Integer.parseInt(length) > family.addressBits())) {
            throw new Failure(Failure.Category.INPUT, "`" + q + "': a prefix length is 0 to "
                    + family.addressBits());
        }
        return Prefix.parse(q, family);
    }

    /** Whether the rule's source or destination network and the query's share an address. */
    private static boolean overlaps(Rule rule, Prefix query, Family family) {
        for (String name : List.of("s", "d")) {
            Option option = rule.headerOption(name).orElse(null);
            if (option != null) {
                Prefix network = Prefix.parse(option.arg(), family);
                if (network.contains(query.address()) || query.length() <= network.length()
                        && query.contains(network.address())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hasPort(Rule rule, int port) {
        for (Match match : rule.matches()) {
            for (Option option : match.options()) {
                if (PORT_OPTIONS.contains(option.name()) && inPorts(option.arg(), port)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether {@code 22}, {@code 1024:65535} or {@code 22,80,8000:8080} (canonical: both ends given) has it. */
    private static boolean inPorts(String value, int port) {
        for (String part : value.split(",")) {
            String[] ends = part.split(":", 2);
            if (!PORT.matcher(ends[0]).matches() || ends.length == 2 && !PORT.matcher(ends[1]).matches()) {
                continue; // not ports, as no port option prints them
            }
            int low = Integer.parseInt(ends[0]);
            int high = ends.length == 2 ? Integer.parseInt(ends[1]) : low;
            if (port >= low && port <= high) {
                return true;
            }
        }
        return false;
    }
}
