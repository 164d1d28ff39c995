package io.rampart.config.check;

import io.rampart.model.Hook;
import io.rampart.model.Table;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The jumps ({@code -j CHAIN} and {@code -g CHAIN}) between the chains of one table: from which
 * hooks each chain is reached and by which path, the loops, and how deep chains nest. The kernel
 * checks a rule with every hook its chain is reached from, refuses a loop a built-in chain reaches,
 * and refuses a chain nested deeper than its jump stack.
 */
final class ChainGraph {

    /**
     * How many jumps down from a built-in chain the kernel follows: nf_tables' jump stack holds 16
     * levels, the built-in chain's included (entering a chain at level 16 gives "Too many links").
     */
    static final int MAX_JUMP_DEPTH = 15;

    /** Rule {@code rule} of chain {@code from} jumps or goes to chain {@code to}. */
    record Jump(int rule, String from, String to) {
    }

    /** A loop: the jump that closes it and the chains around it, the first repeated at the end. */
    record Loop(Jump closing, List<String> chains) {
    }

    /** A jump that takes the packet one level deeper than the kernel follows, and the path to its chain. */
    record DeepJump(Jump jump, List<String> path) {
    }

    private final Table table;
    private final Map<String, List<Jump>> jumpsFrom = new LinkedHashMap<>();
    /** For each chain, for each hook reaching it, a shortest path of chain names from the hook's chain. */
    private final Map<String, Map<Hook, List<String>>> paths = new HashMap<>();
    private final List<Loop> loops = new ArrayList<>();
    private final Set<Jump> closingJumps = new HashSet<>();

    /**
     * @param chains every chain of the table: the built-in ones and the declared user chains
     * @param jumps  the jumps between them, in rule order
     */
    ChainGraph(Table table, Set<String> chains, List<Jump> jumps) {
        this.table = table;
        chains.forEach(c -> jumpsFrom.put(c, new ArrayList<>()));
        for (Jump jump : jumps) {
            if (jumpsFrom.containsKey(jump.from()) && jumpsFrom.containsKey(jump.to())) {
                jumpsFrom.get(jump.from()).add(jump);
            }
        }
        for (Hook hook : table.hooks()) {
            findPaths(hook);
        }
        findLoops();
    }

    /** The hooks a chain is reached from, in hook order: a built-in chain's own, a user chain's through jumps. */
    Set<Hook> hooksReaching(String chain) {
        Map<Hook, List<String>> byHook = paths.get(chain);
        return byHook == null ? Set.of() : Collections.unmodifiableSet(byHook.keySet());
    }

    /** A shortest path from the hook's built-in chain to {@code chain}, both included. */
    List<String> path(Hook hook, String chain) {
        return paths.get(chain).get(hook);
    }

    /** The first jump from the path's built-in chain to the next chain on it. */
    Jump firstJump(List<String> path) {
        return jumpsFrom.get(path.get(0)).stream().filter(j -> j.to().equals(path.get(1))).findFirst().orElseThrow();
    }

    List<Loop> loops() {
        return loops;
    }

    /** Whether a built-in chain reaches any chain of the loop. */
    boolean reached(Loop loop) {
        return loop.chains().stream().anyMatch(c -> !hooksReaching(c).isEmpty());
    }

    /** Breadth first from the hook's chain: the first path found to a chain is a shortest one. */
    private void findPaths(Hook hook) {
        String start = hook.name();
        Map<String, String> parent = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>();
        parent.put(start, null);
        queue.add(start);
        while (!queue.isEmpty()) {
            String chain = queue.poll();
            paths.computeIfAbsent(chain, c -> new EnumMap<>(Hook.class)).put(hook, pathTo(chain, parent));
            for (Jump jump : jumpsFrom.getOrDefault(chain, List.of())) {
                if (!parent.containsKey(jump.to())) {
                    parent.put(jump.to(), chain);
                    queue.add(jump.to());
                }
            }
        }
    }

    private static List<String> pathTo(String chain, Map<String, String> parent) {
        List<String> path = new ArrayList<>();
        for (String at = chain; at != null; at = parent.get(at)) {
            path.add(at);
        }
        Collections.reverse(path);
        return List.copyOf(path);
    }

    /**
     * Depth first over every chain: a jump to a chain still being walked closes a loop. The walk
     * keeps its own stack: unreached chains may nest far deeper than the kernel's limit.
     */
    private void findLoops() {
        Set<String> done = new HashSet<>();
        for (String root : jumpsFrom.keySet()) {
            if (done.contains(root)) {
                continue;
            }
            LinkedHashSet<String> walking = new LinkedHashSet<>();
            Deque<Step> stack = new ArrayDeque<>();
            walking.add(root);
            stack.push(new Step(root));
            while (!stack.isEmpty()) {
                Step step = stack.peek();
                List<Jump> jumps = jumpsFrom.get(step.chain);
                if (step.next == jumps.size()) {
                    stack.pop();
                    walking.remove(step.chain);
                    done.add(step.chain);
                    continue;
                }
                Jump jump = jumps.get(step.next++);
                if (walking.contains(jump.to())) {
                    loops.add(new Loop(jump, around(walking, jump.to())));
                    closingJumps.add(jump);
                } else if (!done.contains(jump.to())) {
                    walking.add(jump.to());
                    stack.push(new Step(jump.to()));
                }
            }
        }
    }

    /** A chain being walked and the index of the next of its jumps to follow. */
    private static final class Step {
        final String chain;
        int next;

        Step(String chain) {
            this.chain = chain;
        }
    }

    /** The chains walked from {@code back} on, and {@code back} again: the loop a jump back to it closes. */
    private static List<String> around(LinkedHashSet<String> walking, String back) {
        List<String> chains = new ArrayList<>();
        boolean inLoop = false;
        for (String chain : walking) {
            inLoop |= chain.equals(back);
            if (inLoop) {
                chains.add(chain);
            }
        }
        chains.add(back);
        return List.copyOf(chains);
    }

    /**
     * The jumps that enter a chain one level deeper than {@link #MAX_JUMP_DEPTH} on the longest
     * path from a built-in chain (the kernel walks every path). Loops are left out: they are
     * reported as loops.
     */
    List<DeepJump> deepJumps() {
        Map<String, Integer> level = new HashMap<>();
        Map<String, String> deepestParent = new HashMap<>();
        for (String chain : topologicalOrder()) {
            int here = table.isBuiltinChain(chain) ? 0 : level.getOrDefault(chain, -1);
            if (here < 0) {
                continue;
            }
            level.put(chain, here);
            for (Jump jump : jumpsFrom.get(chain)) {
                if (!closingJumps.contains(jump) && here + 1 > level.getOrDefault(jump.to(), -1)) {
                    level.put(jump.to(), here + 1);
                    deepestParent.put(jump.to(), chain);
                }
            }
        }
        List<DeepJump> deep = new ArrayList<>();
        for (List<Jump> jumps : jumpsFrom.values()) {
            for (Jump jump : jumps) {
                if (!closingJumps.contains(jump) && level.getOrDefault(jump.from(), -1) == MAX_JUMP_DEPTH) {
                    List<String> path = new ArrayList<>(pathTo(jump.from(), deepestParent));
                    path.add(jump.to());
                    deep.add(new DeepJump(jump, List.copyOf(path)));
                }
            }
        }
        deep.sort((a, b) -> Integer.compare(a.jump().rule(), b.jump().rule()));
        return deep;
    }

    /** The chains ordered so that every jump that does not close a loop goes forward. */
    private List<String> topologicalOrder() {
        Map<String, Integer> incoming = new HashMap<>();
        jumpsFrom.keySet().forEach(c -> incoming.put(c, 0));
        jumpsFrom.values().forEach(jumps -> jumps.stream().filter(j -> !closingJumps.contains(j))
                .forEach(j -> incoming.merge(j.to(), 1, Integer::sum)));
        Deque<String> ready = new ArrayDeque<>();
        for (String chain : jumpsFrom.keySet()) {
            if (incoming.get(chain) == 0) {
                ready.add(chain);
            }
        }
        List<String> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            String chain = ready.poll();
            order.add(chain);
            for (Jump jump : jumpsFrom.get(chain)) {
                if (!closingJumps.contains(jump) && incoming.merge(jump.to(), -1, Integer::sum) == 0) {
                    ready.add(jump.to());
                }
            }
        }
        return order;
    }
}
