package io.rampart.reconcile;

import io.rampart.model.Policy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * What the bookkeeping chain of a table remembers about one staged ruleset: its name and, for each
 * built-in chain it has, the policy it sets when it goes live (none: left alone) and whether its
 * hook goes to the head or the tail of a chain that holds no hook yet. Written as the comment
 * {@code stage NAME INPUT:DROP:head FORWARD:-:tail}.
 */
record StageRecord(String name, Map<String, Hooked> builtins) {

    /** How a built-in chain hooks the stage. */
    record Hooked(Policy policy, boolean tail) {
    }

    StageRecord {
        builtins = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(builtins));
    }

    String comment() {
        StringJoiner words = new StringJoiner(" ");
        words.add(Bookkeeping.STAGE).add(name);
        builtins.forEach((chain, hooked) -> words.add(chain + ":" + (hooked.policy() == null ? "-"
                : hooked.policy().name()) + ":" + (hooked.tail() ? "tail" : "head")));
        return words.toString();
    }

    /** The record a bookkeeping comment holds, if it is a well-formed stage record. */
    static Optional<StageRecord> parse(String comment) {
        String[] words = comment.split(" ");
        if (words.length < 2 || !words[0].equals(Bookkeeping.STAGE)) {
            return Optional.empty();
        }
        Map<String, Hooked> builtins = new LinkedHashMap<>();
        for (int i = 2; i < words.length; i++) {
            String[] parts = words[i].split(":");
            if (parts.length != 3) {
                return Optional.empty();
            }
            Policy policy = switch (parts[1]) {
                case "ACCEPT" -> Policy.ACCEPT;
                case "DROP" -> Policy.DROP;
                default -> null;
            };
            builtins.put(parts[0], new Hooked(policy, parts[2].equals("tail")));
        }
        return Optional.of(new StageRecord(words[1], builtins));
    }
}
