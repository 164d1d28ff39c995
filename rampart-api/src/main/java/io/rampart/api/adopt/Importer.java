package io.rampart.api.adopt;

import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.reconcile.LiveState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A live ruleset (or an iptables-save file) as a starting file for the ruleset language. It declares
 * the chains the file should manage; chains other tools own (Docker, kube-proxy, fail2ban, Rampart's
 * own, ...) are left out, and so is every chain with a rule jumping to one left out, since a file
 * that declared it would take those jumps away. A comment at the top says what was left out and why.
 */
public final class Importer {


    /** The starting file and the chains it leaves out, each with the reason, per table. */
    public record Imported(String text, Map<String, List<String>> leftOut) {
    }

    private Importer() {
    }

    /**
     * @param origin what the rules are, for the comment: {@code the IPv4 rules of this host}
     */
    public static Imported starting(LiveState live, Family family, String origin, Instant now) {
        StringBuilder body = new StringBuilder();
        Map<String, List<String>> leftOut = new LinkedHashMap<>();
        for (LiveState.LiveTable table : live.tables()) {
            Map<String, String> left = leftOut(table);
            if (!left.isEmpty()) {
                leftOut.put(table.table().label(), left.entrySet().stream()
                        .map(e -> e.getKey() + " (" + e.getValue() + ")").toList());
            }
            List<Chain> kept = table.chains().values().stream().filter(c -> !left.containsKey(c.name())).toList();
            if (kept.isEmpty()) {
                continue;
            }
            body.append('\n').append('*').append(table.table().label()).append(family == Family.IPV6 ? " ipv6" : "")
                    .append('\n');
            for (Chain chain : kept) {
                body.append(':').append(chain.name()).append(' ')
                        .append(chain.policy() == null ? "-" : chain.policy().name()).append(" [0:0]\n");
            }
            for (Chain chain : kept) {
                List<String> rules = table.rulesOf(chain.name());
                if (!rules.isEmpty()) {
                    body.append('\n');
                    rules.forEach(rule -> body.append(rule).append('\n'));
                }
            }
            body.append("COMMIT\n");
        }
        StringBuilder text = new StringBuilder("# A starting point for a Rampart ruleset: ").append(origin)
                .append(", imported on ").append(Stamp.of(now)).append(".\n")
                .append("# Rampart manages exactly the chains declared here; see what it would change with"
                        + " `rampart plan' first.\n");
        if (!leftOut.isEmpty()) {
            text.append("# Left out, as other tools keep them (chains a file does not declare are not touched):\n");
            leftOut.forEach((table, chains) -> text.append("#   ").append(table).append(": ")
                    .append(String.join(", ", chains)).append('\n'));
        }
        return new Imported(text.append(body).toString(), leftOut);
    }

    /** The chains of the table to leave out, each with why: owned by another tool, or jumping to one left out. */
    private static Map<String, String> leftOut(LiveState.LiveTable table) {
        Map<String, String> left = new LinkedHashMap<>();
        for (Chain chain : table.chains().values()) {
            ForeignChains.owner(chain.name()).ifPresent(tool -> left.put(chain.name(), tool));
        }
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Chain chain : table.chains().values()) {
                if (left.containsKey(chain.name())) {
                    continue;
                }
                Optional<String> target = table.rulesOf(chain.name()).stream().map(RuleTarget::of)
                        .flatMap(Optional::stream).filter(left::containsKey).findFirst();
                if (target.isPresent()) {
                    left.put(chain.name(), "jumps to " + target.get());
                    grew = true;
                }
            }
        }
        return left;
    }
}
