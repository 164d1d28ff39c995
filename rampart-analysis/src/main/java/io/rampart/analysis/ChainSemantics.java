package io.rampart.analysis;

import io.rampart.model.Chain;
import io.rampart.model.Policy;
import io.rampart.model.Rule;
import io.rampart.model.TableRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one table does to every packet at once: walks each built-in chain with sets of packets in
 * place of one, as rampart-trace's {@code ChainWalk} walks one packet (jumps return, gotos do not,
 * RETURN and a user chain's end go back, the policy decides what falls off a built-in chain).
 */
final class ChainSemantics {

    /** Targets that let the packet go on unchanged, as the tracer's {@code Targets} has them. */
    private static final Set<String> CONTINUING = Set.of("LOG", "NFLOG", "TRACE", "AUDIT", "CHECKSUM", "CLASSIFY",
            "TCPMSS", "SET", "TPROXY");

    private static final Set<String> TERMINAL = Set.of("ACCEPT", "DROP", "REJECT", "NFQUEUE", "QUEUE");

    /** The kernel's limit on nested jumps; deeper means a loop the checker reports. */
    private static final int MAX_DEPTH = 64;

    /**
     * The packets one rule (or a built-in chain's policy, {@code rule} 0) decides, and how.
     *
     * @param chain the chain of the deciding rule, the built-in chain for a policy
     * @param where {@code file:line} of the rule, or {@code policy of CHAIN}
     */
    record Decision(String verdict, String chain, int rule, String where, int packets) {
        boolean isPolicy() {
            return rule == 0;
        }
    }

    /** Where a rule of the table was written, or null. */
    @FunctionalInterface
    interface Locations {
        String of(int index);
    }

    /** A rule with the packets it matches and, for taking them out of the rest cheaply, those it does not. */
    private record Compiled(int index, int number, Rule rule, int match, int miss) {
    }

    private final HeaderSpace space;
    private final Map<String, List<Compiled>> chains = new HashMap<>();
    private final Map<String, Policy> policies = new HashMap<>();
    private final Locations locations;
    private final String file;

    ChainSemantics(HeaderSpace space, TableRules table, String file, Locations locations) {
        this.space = space;
        this.file = file;
        this.locations = locations;
        MatchCompiler compiler = new MatchCompiler(space);
        for (Chain chain : table.chains()) {
            chains.put(chain.name(), new ArrayList<>());
            chain.policyIfBuiltin().ifPresent(p -> policies.put(chain.name(), p));
        }
        List<Rule> rules = table.rules();
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            List<Compiled> list = chains.computeIfAbsent(rule.chain(), c -> new ArrayList<>());
            checkTarget(rule, i);
            int match = compiler.compile(rule);
            list.add(new Compiled(i, list.size() + 1, rule, match, space.not(match)));
        }
    }

    private void checkTarget(Rule rule, int index) {
        if (rule.target() == null) {
            return;
        }
        String name = rule.target().name();
        if (!TERMINAL.contains(name) && !CONTINUING.contains(name) && !name.equals("RETURN")
                && !chains.containsKey(name)) {
            throw new UnsupportedRulesetException(where(index) + ": -j " + name
                    + " changes the packet or its connection, which diff does not model yet");
        }
    }

    private String where(int index) {
        String location = locations.of(index);
        return location != null ? location : file;
    }

    /** The decisions of built-in {@code chain} for the packets in {@code entering}, disjoint, covering them. */
    List<Decision> decide(String chain, int entering) {
        List<Decision> out = new ArrayList<>();
        int fallen = walk(chain, entering, out, 0);
        Policy policy = policies.getOrDefault(chain, Policy.ACCEPT);
        if (fallen != space.no()) {
            out.add(new Decision(policy.name(), chain, 0, "policy of " + chain, fallen));
        }
        return out;
    }

    /** Walks {@code chain} with {@code packets}, adds what it decides, returns the packets that go back. */
    private int walk(String chain, int packets, List<Decision> out, int depth) {
        if (depth > MAX_DEPTH) {
            throw new UnsupportedRulesetException(file + ": chain " + chain + " is entered more than " + MAX_DEPTH
                    + " jumps deep");
        }
        int remaining = packets;
        int back = space.no();
        for (Compiled rule : chains.getOrDefault(chain, List.of())) {
            if (remaining == space.no()) {
                break;
            }
            int matched = space.and(remaining, rule.match());
            if (matched == space.no() || rule.rule().target() == null) {
                continue;
            }
            String target = rule.rule().target().name();
            if (CONTINUING.contains(target)) {
                continue;
            }
            remaining = space.and(remaining, rule.miss());
            if (TERMINAL.contains(target)) {
                out.add(new Decision(verdict(rule.rule()), chain, rule.number(), where(rule.index()), matched));
            } else if (target.equals("RETURN")) {
                back = space.or(back, matched);
            } else if (rule.rule().target().kind() == io.rampart.model.Target.Kind.GOTO) {
                back = space.or(back, walk(target, matched, out, depth + 1));
            } else {
                remaining = space.or(remaining, walk(target, matched, out, depth + 1));
            }
        }
        return space.or(back, remaining);
    }

    /** The verdict with the options that change what the sender sees, e.g. REJECT's --reject-with. */
    private static String verdict(Rule rule) {
        StringBuilder b = new StringBuilder(rule.target().name());
        rule.target().options().forEach(o -> {
            b.append(" --").append(o.name());
            o.args().forEach(arg -> b.append(' ').append(arg));
        });
        return b.toString();
    }
}
