package io.rampart.analysis;

import io.rampart.model.Chain;
import io.rampart.model.Policy;
import io.rampart.model.Rule;
import io.rampart.model.Table;
import io.rampart.model.TableRules;
import io.rampart.model.Target;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ObjIntConsumer;

/**
 * What one table does to every packet at once: walks each built-in chain with sets of packets in
 * place of one, as rampart-trace's {@code ChainWalk} walks one packet (jumps return, gotos do not,
 * RETURN and a user chain's end go back, the policy decides what falls off a built-in chain).
 */
final class ChainSemantics {

    /** The outcome of the packets a user chain sends back to its caller (RETURN or its end). */
    static final String RETURN = "RETURN";

    /** The kernel's limit on nested jumps; deeper means a loop the checker reports. */
    private static final int MAX_DEPTH = 64;

    /**
     * The packets one rule (or a built-in chain's policy, {@code rule} 0) decides, and how.
     *
     * @param chain the chain of the deciding rule, the built-in chain for a policy
     * @param where {@code file:line} of the rule, or {@code policy of CHAIN}
     */
    record Decision(String verdict, Table table, String chain, int rule, String where, int packets) {
        boolean isPolicy() {
            return rule == 0;
        }
    }

    /** Where a rule of the table was written, or null. */
    @FunctionalInterface
    interface Locations {
        String of(int index);
    }

    /** A rule with the packets it matches. */
    private record Compiled(int index, int number, Rule rule, int match) {
    }

    private final HeaderSpace space;
    private final Map<String, List<Compiled>> chains = new HashMap<>();
    private final Map<String, Policy> policies = new HashMap<>();
    private final List<Compiled> compiled = new ArrayList<>();
    private final Locations locations;
    private final String file;
    private final Table table;
    /** Whether rules may change the packet on its way (the tables walked in turn by {@link Pipeline}). */
    private final boolean effects;
    /** The built-in chains the table has, declared or given rules, as the tracer meets them. */
    private final Set<String> present = new java.util.HashSet<>();
    /** The built-in chain being walked with a {@link PacketState}: NAT's direction depends on it. */
    private String hook;
    /** Per chain: the key that makes it alike in both rulesets, and its outcomes. */
    private final Map<String, Outcomes> outcomes = new HashMap<>();
    /** Per chain worked out here (not taken from the other ruleset's): the outcomes after each rule. */
    private final Map<String, Map<Integer, Map<String, Integer>>> suffixes = new HashMap<>();

    /** A chain's outcomes over all packets, and what identifies the chain with what it calls. */
    private record Outcomes(List<Object> key, Map<String, Integer> sets) {
    }

    /** A header and matches, what a rule's match set depends on. */
    private record MatchKey(List<io.rampart.model.Option> header, List<io.rampart.model.Match> matches) {
    }

    ChainSemantics(HeaderSpace space, TableRules table, String file, Locations locations) {
        this(space, table, file, locations, false);
    }

    /** With {@code effects}, targets that change the packet are followed by a walk given a {@link PacketState}. */
    ChainSemantics(HeaderSpace space, TableRules table, String file, Locations locations, boolean effects) {
        this.space = space;
        this.file = file;
        this.locations = locations;
        this.table = table.table();
        this.effects = effects;
        MatchCompiler compiler = new MatchCompiler(space);
        for (Chain chain : table.chains()) {
            chains.put(chain.name(), new ArrayList<>());
            chain.policyIfBuiltin().ifPresent(p -> {
                policies.put(chain.name(), p);
                present.add(chain.name());
            });
        }
        // A built-in chain a file does not declare is there all the same, with the policy ACCEPT.
        table.table().builtinChains().forEach(name -> {
            chains.putIfAbsent(name, new ArrayList<>());
            policies.putIfAbsent(name, Policy.ACCEPT);
        });
        List<Rule> rules = table.rules();
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            List<Compiled> list = chains.computeIfAbsent(rule.chain(), c -> new ArrayList<>());
            if (table.table().isBuiltinChain(rule.chain())) {
                present.add(rule.chain());
            }
            checkTarget(rule, i);
            int match = space.matchSet(new MatchKey(rule.header(), rule.matches()), () -> compiler.compile(rule));
            Compiled one = new Compiled(i, list.size() + 1, rule, match);
            list.add(one);
            compiled.add(one);
        }
    }

    private void checkTarget(Rule rule, int index) {
        if (rule.target() == null) {
            return;
        }
        String name = rule.target().name();
        if (!changesPacket(rule.target(), space.family()) || chains.containsKey(name)) {
            return;
        }
        if (!effects) {
            throw new UnsupportedRulesetException(where(index) + ": -j " + name
                    + " changes the packet or its connection, which diff does not model yet");
        }
    }

    /**
     * Whether decision {@code d} takes its packets out of the walk through every table: an ACCEPT by a
     * target whose verdict only the kernel knows ends there, as a DROP does.
     */
    boolean ends(Decision d) {
        if (d.isPolicy() || d.rule() < 1) {
            return false;
        }
        Rule rule = chains.get(d.chain()).get(d.rule() - 1).rule();
        if (rule.target() == null || chains.containsKey(rule.target().name())
                || !changesPacket(rule.target(), space.family())) {
            return false;
        }
        TargetEffects.Effect effect = TargetEffects.of(rule.target(), space.family(), rule.chain());
        return effect instanceof TargetEffects.Undecided || effect instanceof TargetEffects.Synproxy;
    }

    /** Whether a target that is no chain of the table changes the packet or its connection (MARK, DNAT, ...). */
    static boolean changesPacket(Target target, io.rampart.model.Family family) {
        return !TargetEffects.ends(target, family) && !TargetEffects.goesOn(target, family)
                && !target.name().equals(RETURN);
    }

    HeaderSpace space() {
        return space;
    }

    /** Whether the table has built-in {@code chain}: a file's table without it is not walked there. */
    boolean has(String chain) {
        return present.contains(chain);
    }

    /** {@code policy of CHAIN}, with the table's name unless it is filter. */
    private String policyWhere(String chain) {
        return "policy of " + (table == Table.FILTER ? "" : table.label() + " ") + chain;
    }

    private String where(int index) {
        String location = locations.of(index);
        return location != null ? location : file;
    }

    /** The decisions of built-in {@code chain} for the packets in {@code entering}, disjoint, covering them. */
    List<Decision> decide(String chain, int entering) {
        List<Decision> out = new ArrayList<>();
        return decide(chain, entering, null, null, null);
    }

    /**
     * The decisions of built-in {@code chain} for the arriving packets {@code entering}, each rule's match
     * read through {@code state} (null: as they arrived), which the rules' changes update; NAT's
     * translations accept the packet in this table. With {@code reached} and {@code matched}, adds per
     * rule the packets that reach it and those of them it matches.
     */
    List<Decision> decide(String chain, int entering, PacketState state, Map<Integer, Integer> reached,
                          Map<Integer, Integer> matched) {
        List<Decision> out = new ArrayList<>();
        hook = chain;
        int fallen = walk(chain, entering, out, reached, matched, state, 0);
        Policy policy = policies.getOrDefault(chain, Policy.ACCEPT);
        if (fallen != space.no()) {
            out.add(new Decision(policy.name(), table, chain, 0, policyWhere(chain), fallen));
        }
        return out;
    }

    /**
     * The packets of {@code entering} that arrive at each rule a walk of built-in {@code chain}
     * meets, added over every path, by the rule's index in the table; a rule no packet arrives at is missing.
     */
    Map<Integer, Integer> arrivals(String chain, int entering) {
        Map<Integer, Integer> arrivals = new HashMap<>();
        walk(chain, entering, new ArrayList<>(), arrivals, null, null, 0);
        return arrivals;
    }

    /** The table's chains, built-in and user. */
    Set<String> chainNames() {
        return chains.keySet();
    }

    /** The policy of a built-in chain; null for a user chain. */
    Policy policyOf(String chain) {
        return policies.get(chain);
    }

    /**
     * The outcome the rule at {@code index} gives the packets it matches, as {@link #outcomes} names
     * outcomes (RETURN in a built-in chain is its policy); null when it jumps, goes to a chain or lets them go on.
     */
    String outcomeOf(int index) {
        Compiled rule = compiled.get(index);
        Target target = rule.rule().target();
        if (target == null) {
            return null;
        }
        if (TargetEffects.ends(target, space.family())) {
            return verdict(rule.rule());
        }
        if (target.name().equals(RETURN)) {
            Policy policy = policies.get(rule.rule().chain());
            return policy == null ? RETURN : policy.name();
        }
        return null;
    }

    /** The chain the rule at {@code index} jumps or goes to; null when it does neither. */
    String calleeOf(int index) {
        Target target = compiled.get(index).rule().target();
        return target != null && chains.containsKey(target.name()) ? target.name() : null;
    }

    /**
     * The packets that go on to the next rule of the chain after the rule at {@code index}: those it
     * does not match, and, for a jump, those its chain sends back; every packet for LOG and the like.
     */
    int passing(int index) {
        Compiled rule = compiled.get(index);
        if (!decides(index)) {
            return space.yes();
        }
        int missed = space.not(rule.match());
        Target target = rule.rule().target();
        if (target.kind() == Target.Kind.JUMP && chains.containsKey(target.name())) {
            return space.or(missed, outcomes(target.name()).getOrDefault(RETURN, space.no()));
        }
        return missed;
    }

    /** Whether the rule at {@code index} can take packets out of its chain's walk (not LOG and the like). */
    boolean decides(int index) {
        Target target = compiled.get(index).rule().target();
        return target != null && !TargetEffects.goesOn(target, space.family());
    }

    /** Whether the rule at {@code index} goes to a chain (-g): what that chain sends back goes back from this one. */
    boolean isGoto(int index) {
        Target target = compiled.get(index).rule().target();
        return calleeOf(index) != null && target.kind() == Target.Kind.GOTO;
    }

    /**
     * Per rule of {@code chain} (by index in the table), the packets the rules after it leave to
     * the chain's end or send back with RETURN: of a built-in chain, those its policy decides.
     */
    Map<Integer, Integer> endsAfter(String chain) {
        Map<Integer, Integer> after = new HashMap<>();
        List<Compiled> rules = chains.getOrDefault(chain, List.of());
        int end = space.yes();
        for (int i = rules.size() - 1; i >= 0; i--) {
            Compiled rule = rules.get(i);
            after.put(rule.index(), end);
            Target target = rule.rule().target();
            if (target == null || TargetEffects.goesOn(target, space.family())) {
                continue;
            }
            String callee = calleeOf(rule.index());
            if (target.name().equals(RETURN)) {
                end = space.or(rule.match(), end);
            } else if (callee == null) {
                end = space.minus(end, rule.match());
            } else {
                int back = space.and(rule.match(), outcomes(callee).getOrDefault(RETURN, space.no()));
                end = space.ite(rule.match(), isGoto(rule.index()) ? back : space.and(back, end), end);
            }
        }
        return after;
    }

    /** What rules do to some packets: each outcome's, as {@link #outcomes} names them, and those the chain's end decides. */
    record Rest(Map<String, Integer> outcomes, int end) {
    }

    /**
     * What the rules at {@code later} (positions in {@code chain}, in order: every later rule that
     * may match one of them) do to {@code packets}, as {@link #outcomesAfter} gives it for those
     * packets: walked forwards with those packets alone, so it costs a few operations on small
     * sets per rule named. {@link Rest#end} holds those that fall off the chain's end or go back.
     */
    Rest restOf(String chain, List<Integer> later, int packets) {
        return restOf(chain, later, packets, null);
    }

    /**
     * As {@link #restOf(String, List, int)}, but with {@code only} an outcome, cut short once some
     * packets get another outcome than {@code only} or {@link #RETURN}: the rest then holds those
     * packets under that outcome, enough to tell that the rules after do not give all the packets
     * {@code only}, and nothing about the others. A rule accepting established connections before
     * thousands of jumps is so told apart at the first jump whose chain rejects some of them.
     */
    Rest restOf(String chain, List<Integer> later, int packets, String only) {
        List<Compiled> rules = chains.getOrDefault(chain, List.of());
        Policy policy = policies.get(chain);
        String endOutcome = policy == null ? RETURN : policy.name();
        Map<String, Integer> outcomes = new HashMap<>();
        int left = packets;
        int end = space.no();
        for (int position : later) {
            Compiled rule = rules.get(position);
            Target target = rule.rule().target();
            if (left == space.no()) {
                break;
            }
            if (target == null || TargetEffects.goesOn(target, space.family())) {
                continue;
            }
            int taken = space.and(left, rule.match());
            if (taken == space.no()) {
                continue;
            }
            left = space.minus(left, taken);
            String callee = calleeOf(rule.index());
            if (callee == null && target.name().equals(RETURN)) {
                end = space.or(end, taken);
            } else if (callee == null) {
                String verdict = verdict(rule.rule());
                outcomes.merge(verdict, taken, space::or);
                if (only != null && !verdict.equals(only)) {
                    return new Rest(outcomes, end);
                }
            } else {
                int back = space.no();
                for (Map.Entry<String, Integer> e : outcomes(callee).entrySet()) {
                    int got = space.and(taken, e.getValue());
                    if (e.getKey().equals(RETURN)) {
                        back = got;
                    } else if (got != space.no()) {
                        outcomes.merge(e.getKey(), got, space::or);
                        if (only != null && !e.getKey().equals(only)) {
                            return new Rest(outcomes, end);
                        }
                    }
                }
                if (isGoto(rule.index())) {
                    end = space.or(end, back);
                } else {
                    left = space.or(left, back);
                }
            }
        }
        end = space.or(end, left);
        if (end != space.no()) {
            outcomes.merge(endOutcome, end, space::or);
        }
        return new Rest(outcomes, end);
    }

    /** The rules of {@code chain} by their index in the table, in order. */
    List<Integer> rulesOf(String chain) {
        return chains.getOrDefault(chain, List.of()).stream().map(Compiled::index).toList();
    }

    /** The rule at {@code index} of the table. */
    Rule ruleOf(int index) {
        return compiled.get(index).rule();
    }

    /** The packets the rule at {@code index} of the table matches. */
    int matchOf(int index) {
        return compiled.get(index).match();
    }

    /**
     * Per rule of {@code chain} (by index in the table), the outcomes of the rules after it, as
     * {@link #outcomes} gives them for a whole chain: what its packets would get without it.
     */
    Map<Integer, Map<String, Integer>> outcomesAfter(String chain) {
        outcomesOf(chain, 0);
        Map<Integer, Map<String, Integer>> known = suffixes.get(chain);
        if (known != null) {
            return known;
        }
        Map<Integer, Map<String, Integer>> after = new HashMap<>();
        List<Compiled> rules = chains.getOrDefault(chain, List.of());
        backwards(rules, policies.get(chain), callees(rules, 1), (sets, position) ->
                after.put(rules.get(position).index(), Map.copyOf(sets)));
        suffixes.put(chain, after);
        return after;
    }

    /** Walks {@code chain} with {@code packets}, adds what it decides, returns the packets that go back. */
    private int walk(String chain, int packets, List<Decision> out, Map<Integer, Integer> arrivals,
                     Map<Integer, Integer> matchedAt, PacketState state, int depth) {
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
            if (arrivals != null) {
                arrivals.merge(rule.index(), remaining, space::or);
            }
            int match = state == null ? rule.match() : state.now(rule.match(), remaining);
            int matched = space.and(remaining, match);
            if (matchedAt != null && matched != space.no()) {
                matchedAt.merge(rule.index(), matched, space::or);
            }
            if (matched == space.no() || rule.rule().target() == null) {
                continue;
            }
            String target = rule.rule().target().name();
            if (TargetEffects.goesOn(rule.rule().target(), space.family())) {
                continue;
            }
            boolean changes = effects && changesPacket(rule.rule().target(), space.family())
                    && !chains.containsKey(target);
            if (changes) {
                PacketState.Taken taken = state.apply(TargetEffects.of(rule.rule().target(), space.family(), hook),
                        matched, where(rule.index()));
                if (taken.accepted() != space.no()) {
                    out.add(new Decision("ACCEPT", table, chain, rule.number(), where(rule.index()), taken.accepted()));
                }
                if (taken.dropped() != space.no()) {
                    out.add(new Decision("DROP", table, chain, rule.number(), where(rule.index()), taken.dropped()));
                }
                remaining = space.minus(remaining, space.or(taken.accepted(), taken.dropped()));
                if (!TargetEffects.translates(rule.rule().target(), space.family())) {
                    continue;
                }
            }
            remaining = space.and(remaining, state == null ? space.complement(rule.match()) : space.not(match));
            if (changes) {
                out.add(new Decision("ACCEPT", table, chain, rule.number(), where(rule.index()), matched));
            } else if (TargetEffects.ends(rule.rule().target(), space.family())) {
                out.add(new Decision(verdict(rule.rule()), table, chain, rule.number(), where(rule.index()), matched));
            } else if (target.equals("RETURN")) {
                back = space.or(back, matched);
            } else if (rule.rule().target().kind() == io.rampart.model.Target.Kind.GOTO) {
                back = space.or(back, walk(target, matched, out, arrivals, matchedAt, state, depth + 1));
            } else {
                remaining = space.or(remaining, walk(target, matched, out, arrivals, matchedAt, state, depth + 1));
            }
        }
        return space.or(back, remaining);
    }

    /**
     * What built-in or user {@code chain} does to every packet, outcome by outcome (a verdict, or
     * {@link #RETURN} for a user chain's packets that go back): disjoint sets covering all packets.
     * Worked out backwards, one if-then-else per rule and outcome, never building the packets that
     * reach each rule, so it costs a few operations per rule; the same chain (with what it calls) in
     * the other ruleset of the comparison is not worked out again.
     */
    Map<String, Integer> outcomes(String chain) {
        return outcomesOf(chain, 0).sets();
    }

    private Outcomes outcomesOf(String chain, int depth) {
        Outcomes done = outcomes.get(chain);
        if (done != null) {
            return done;
        }
        if (depth > MAX_DEPTH) {
            throw new UnsupportedRulesetException(file + ": chain " + chain + " is entered more than " + MAX_DEPTH
                    + " jumps deep");
        }
        List<Compiled> rules = chains.getOrDefault(chain, List.of());
        Map<String, Outcomes> callees = callees(rules, depth + 1);
        Policy policy = policies.get(chain);
        List<Object> key = new ArrayList<>();
        key.add(policy == null ? RETURN : policy.name());
        key.add(rules.stream().map(Compiled::rule).toList());
        callees.values().forEach(c -> key.add(c.key()));
        Outcomes computed = new Outcomes(key, space.chainOutcomes(key, () -> {
            Map<Integer, Map<String, Integer>> after = new HashMap<>();
            suffixes.put(chain, after);
            return backwards(rules, policy, callees, (sets, position) ->
                    after.put(rules.get(position).index(), Map.copyOf(sets)));
        }));
        outcomes.put(chain, computed);
        return computed;
    }

    /** The outcomes of the chains {@code rules} jump or go to, in the order they are first named. */
    private Map<String, Outcomes> callees(List<Compiled> rules, int depth) {
        Map<String, Outcomes> callees = new LinkedHashMap<>();
        for (Compiled rule : rules) {
            String target = calleeOf(rule.index());
            if (target != null && !callees.containsKey(target)) {
                callees.put(target, outcomesOf(target, depth));
            }
        }
        return callees;
    }

    /** The outcomes of a chain's rules from its last to its first, given those of the chains it calls. */
    private Map<String, Integer> backwards(List<Compiled> rules, Policy policy, Map<String, Outcomes> callees,
                                           ObjIntConsumer<Map<String, Integer>> suffix) {
        String end = policy == null ? RETURN : policy.name();
        Map<String, Integer> sets = new LinkedHashMap<>();
        sets.put(end, space.yes());
        for (int i = rules.size() - 1; i >= 0; i--) {
            suffix.accept(sets, i);
            Compiled rule = rules.get(i);
            Target target = rule.rule().target();
            if (target == null || TargetEffects.goesOn(target, space.family())) {
                continue;
            }
            Map<String, Integer> then = new HashMap<>();
            if (TargetEffects.ends(target, space.family())) {
                then.put(verdict(rule.rule()), space.yes());
            } else if (target.name().equals(RETURN)) {
                then.put(end, space.yes());
            } else {
                Map<String, Integer> sub = callees.get(target.name()).sets();
                // Only the rule's packets matter under the if-then-else: restricted first, the product with
                // what follows is built along the rule's packets alone, not over every later chain's.
                int back = space.and(rule.match(), sub.getOrDefault(RETURN, space.no()));
                sub.forEach((outcome, packets) -> {
                    if (!outcome.equals(RETURN)) {
                        then.put(outcome, packets);
                    }
                });
                if (target.kind() == Target.Kind.GOTO) {
                    then.merge(end, back, space::or);
                } else {
                    // Packets that come back go on with this chain's next rules.
                    sets.forEach((outcome, packets) -> then.merge(outcome, space.and(back, packets), space::or));
                }
            }
            Set<String> all = new LinkedHashSet<>(sets.keySet());
            all.addAll(then.keySet());
            for (String outcome : all) {
                sets.put(outcome, space.ite(rule.match(), then.getOrDefault(outcome, space.no()),
                        sets.getOrDefault(outcome, space.no())));
            }
        }
        sets.values().removeIf(packets -> packets == space.no());
        return sets;
    }

    /**
     * The decision of built-in {@code chain} for one packet ({@code point}, a full assignment) of
     * {@code entering}, with the packets that take the same path to the same rule: a subset of what
     * that rule decides, built along the packet's path alone.
     */
    Decision explain(String chain, int entering, BitSet point) {
        Deque<Frame> callers = new ArrayDeque<>();
        Frame frame = new Frame(chain, 0);
        int reach = entering;
        while (true) {
            List<Compiled> rules = chains.getOrDefault(frame.chain(), List.of());
            Compiled taken = null;
            int position = frame.next();
            for (; position < rules.size(); position++) {
                Compiled rule = rules.get(position);
                Target target = rule.rule().target();
                if (target == null || TargetEffects.goesOn(target, space.family())) {
                    continue;
                }
                if (space.bdd().evaluate(rule.match(), point)) {
                    taken = rule;
                    break;
                }
                reach = space.and(reach, space.complement(rule.match()));
            }
            if (taken != null) {
                reach = space.and(reach, taken.match());
                String target = taken.rule().target().name();
                if (TargetEffects.ends(taken.rule().target(), space.family())) {
                    return new Decision(verdict(taken.rule()), table, frame.chain(), taken.number(),
                            where(taken.index()), reach);
                }
                if (!target.equals(RETURN)) {
                    if (taken.rule().target().kind() != Target.Kind.GOTO) {
                        callers.push(new Frame(frame.chain(), position + 1));
                    }
                    if (callers.size() > MAX_DEPTH) {
                        throw new UnsupportedRulesetException(file + ": chain " + target + " is entered more than "
                                + MAX_DEPTH + " jumps deep");
                    }
                    frame = new Frame(target, 0);
                    continue;
                }
            }
            if (callers.isEmpty()) {
                Policy policy = policies.getOrDefault(chain, Policy.ACCEPT);
                return new Decision(policy.name(), table, chain, 0, policyWhere(chain), reach);
            }
            frame = callers.pop();
        }
    }

    /** Where a walk is: a chain and the position of its next rule. */
    private record Frame(String chain, int next) {
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
