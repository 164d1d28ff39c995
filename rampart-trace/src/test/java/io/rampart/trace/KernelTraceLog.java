package io.rampart.trace;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's trace as {@code nft -a monitor trace} prints it, turned into steps of the form
 * {@code table chain rule verdict} (rule {@code policy} for a chain's policy), rules numbered by
 * their position in the chain, found from their handles in {@code nft -a list table}.
 */
final class KernelTraceLog {

    private static final Pattern EVENT = Pattern.compile("^trace id (\\w+) ip6? (\\w+) (\\S+) (.*)$");
    private static final Pattern KEY = Pattern.compile(
            "(?:tcp|udp) sport (\\d+)|icmp(?:v6)? id (\\d+)|icmpv6 parameter-problem (\\d+)");
    private static final Pattern RULE = Pattern.compile("# handle (\\d+) \\(verdict (.+)\\)$");
    private static final Pattern CHAIN = Pattern.compile("^\\s*chain (\\S+) \\{");
    private static final Pattern HANDLE = Pattern.compile("# handle (\\d+)\\s*$");

    private KernelTraceLog() {
    }

    /** Rule handle to {@code chain position} for one table's {@code nft -a list table} output. */
    static Map<Integer, String> positions(String listing) {
        Map<Integer, String> out = new HashMap<>();
        String chain = null;
        int position = 0;
        for (String line : listing.split("\n")) {
            Matcher c = CHAIN.matcher(line);
            if (c.find()) {
                chain = c.group(1);
                position = 0;
                continue;
            }
            Matcher h = HANDLE.matcher(line);
            if (chain != null && h.find() && !line.strip().startsWith("table")) {
                out.put(Integer.parseInt(h.group(1)), chain + " " + ++position);
            }
        }
        return out;
    }

    /** Each traced packet's steps, by its key (TCP or UDP source port, ICMP echo id). */
    static Map<Integer, List<String>> steps(String monitor, Map<String, Map<Integer, String>> positions) {
        Map<String, Integer> keys = new HashMap<>();
        Map<Integer, List<String>> out = new LinkedHashMap<>();
        for (String line : monitor.split("\n")) {
            Matcher e = EVENT.matcher(line.strip());
            if (!e.matches()) {
                continue;
            }
            String id = e.group(1);
            String table = e.group(2);
            String rest = e.group(4);
            if (rest.startsWith("packet:")) {
                Matcher k = KEY.matcher(rest);
                // Trace ids come from the packet's buffer address, which a later packet may reuse.
                if (k.find()) {
                    // nft prints an ICMPv6 echo's id and sequence as one 32-bit parameter-problem field.
                    keys.put(id, k.group(1) != null ? Integer.parseInt(k.group(1)) : k.group(2) != null
                            ? Integer.parseInt(k.group(2)) : (int) (Long.parseLong(k.group(3)) >> 16));
                }
                continue;
            }
            Integer key = keys.get(id);
            if (key == null) {
                continue;
            }
            List<String> steps = out.computeIfAbsent(key, k -> new ArrayList<>());
            if (rest.startsWith("policy ")) {
                steps.add(table + " " + e.group(3) + " policy " + rest.substring(7).strip().split(" ")[0].toUpperCase());
                continue;
            }
            Matcher r = RULE.matcher(rest);
            if (rest.startsWith("rule ") && r.find()) {
                String where = positions.get(table).get(Integer.parseInt(r.group(1)));
                steps.add(table + " " + where + " " + verdict(r.group(2)));
            }
        }
        return out;
    }

    private static String verdict(String nft) {
        if (nft.startsWith("jump ") || nft.startsWith("goto ")) {
            return nft.substring(0, 4).toUpperCase() + ":" + nft.substring(5);
        }
        return nft.toUpperCase();
    }

    /** The tracer's steps in the same form. */
    static List<String> of(Trace trace) {
        return trace.steps().stream().map(s -> s.table() + " " + s.chain() + " "
                + (s.rule() == null ? "policy" : s.rule()) + " " + s.verdict()).toList();
    }
}
