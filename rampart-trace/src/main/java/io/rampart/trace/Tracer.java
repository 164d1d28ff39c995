package io.rampart.trace;

import io.rampart.model.Hook;
import io.rampart.model.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Follows a packet through every table in the kernel's order: the hooks, conntrack, routing
 * (re-done after NAT changes the destination), and the packet changes the rules make.
 */
public final class Tracer {

    /** What a trace's note says of a packet routed onwards whose TTL (hop limit) is 1 or below. */
    public static final String TTL_EXPIRES = "expires before FORWARD";

    private final CompiledRuleset ruleset;
    private final Host host;
    private final ChainWalk walk;

    public Tracer(CompiledRuleset ruleset, Host host, Assumptions assumptions, boolean explain) {
        this.ruleset = ruleset;
        this.host = host;
        this.walk = new ChainWalk(ruleset, assumptions, explain);
    }

    public Trace trace(Packet packet) {
        if (packet.family() != ruleset.family()) {
            throw new IllegalArgumentException("the packet's family differs from the ruleset's");
        }
        Run run = run(packet, java.util.Map.of());
        Trace trace = run.trace();
        if (run.flow.undecided.isEmpty()) {
            return trace;
        }
        List<Trace.Branch> branches = new ArrayList<>();
        explore(packet, new java.util.LinkedHashMap<>(), 1.0, new ArrayList<>(), branches);
        List<String> notes = new ArrayList<>(trace.notes());
        notes.add("the packet meets a random statistic split: " + branches.size()
                + " branches, each with its probability" + (branches.size() >= MAX_BRANCHES ? " (the first "
                + MAX_BRANCHES + ")" : "") + "; the steps above are those of the first");
        return new Trace(trace.verdict(), trace.steps(), trace.packet(), notes, branches, trace.undecided());
    }

    /** At most this many branches through random splits are shown. */
    static final int MAX_BRANCHES = 32;

    private Run run(Packet packet, java.util.Map<String, Boolean> splits) {
        Run run = new Run(new Flow(packet, host));
        run.flow.splits = splits;
        run.accepted = packet.local() ? run.output() : run.arrive();
        return run;
    }

    /** Every way through the random splits, depth first, a split's matching side first. */
    private void explore(Packet packet, java.util.Map<String, Boolean> splits, double probability,
                         List<String> choices, List<Trace.Branch> out) {
        if (out.size() >= MAX_BRANCHES) {
            return;
        }
        Run run = run(packet, java.util.Map.copyOf(splits));
        if (run.flow.undecided.isEmpty()) {
            out.add(new Trace.Branch(probability, choices, run.trace()));
            return;
        }
        Object[] split = run.flow.undecided.get(0);
        String where = (String) split[0];
        double p = (Double) split[1];
        for (boolean matches : new boolean[] {true, false}) {
            java.util.Map<String, Boolean> next = new java.util.LinkedHashMap<>(splits);
            next.put(where, matches);
            List<String> made = new ArrayList<>(choices);
            made.add(where.replaceFirst(" (\\d+)$", " rule $1") + (matches ? " matches" : " does not match"));
            explore(packet, next, probability * (matches ? p : 1 - p), made, out);
        }
    }

    /** One packet's way: its flow, the steps so far and the notes. */
    private final class Run {

        final Flow flow;
        final List<Step> steps = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        boolean natDone;
        boolean accepted;

        Run(Flow flow) {
            this.flow = flow;
        }

        Trace trace() {
            String verdict = flow.stoppedAt != null ? Trace.UNDECIDED : accepted ? "ACCEPT" : "DROP";
            Packet leaving = flow.packet.withCtState(flow.state).withConnection(flow.tracked() ? flow.ctmark : 0,
                    !flow.tracked() ? 0 : (flow.snat ? Packet.CT_SNAT : 0) | (flow.dnat ? Packet.CT_DNAT : 0));
            return new Trace(verdict, steps, leaving, notes, List.of(), flow.stoppedAt);
        }

        boolean hook(Hook hook, Table... tables) {
            flow.hook = hook;
            for (Table table : tables) {
                if (table == Table.NAT && (natDone || !flow.state.seesNat())) {
                    continue;
                }
                if (!walk.walk(table, hook.name(), flow, steps, notes)) {
                    return false;
                }
            }
            return true;
        }

        void conntrack() {
            if (flow.state == CtState.UNTRACKED) {
                return;
            }
            Packet p = flow.packet;
            flow.state = p.ctState() != null ? p.ctState() : Conntrack.firstPacket(p);
            if (flow.state.existingConnection()) {
                // Earlier packets of the connection may have marked it and NAT may have translated it.
                flow.ctmark = p.ctMark();
                flow.snat = (p.ctNat() & Packet.CT_SNAT) != 0;
                flow.dnat = (p.ctNat() & Packet.CT_DNAT) != 0;
            }
        }

        boolean arrive() {
            if (!hook(Hook.PREROUTING, Table.RAW)) {
                return false;
            }
            conntrack();
            if (!hook(Hook.PREROUTING, Table.MANGLE, Table.NAT)) {
                return false;
            }
            return route();
        }

        boolean route() {
            Packet p = flow.packet;
            boolean local = host.known() ? host.isLocal(p.dstBytes(), p.family()) : p.out() == null;
            if (local) {
                flow.packet = p.withInterfaces(p.in(), null);
                return hook(Hook.INPUT, Table.MANGLE, Table.FILTER, Table.SECURITY, Table.NAT);
            }
            Optional<String> out = p.out() != null && !host.known() ? Optional.of(p.out())
                    : host.routeTo(p.dstBytes(), p.family());
            if (out.isEmpty()) {
                notes.add("no route to " + p.dstText() + ": dropped by routing");
                return false;
            }
            if (!host.ipForward()) {
                notes.add("forwarding is off on this host: dropped by routing");
                return false;
            }
            if (p.ttl() <= 1) {
                notes.add("TTL " + p.ttl() + " " + TTL_EXPIRES + ": dropped with an ICMP time exceeded");
                return false;
            }
            flow.packet = p.withInterfaces(p.in(), out.get()).withTtl(p.ttl() - 1);
            return hook(Hook.FORWARD, Table.MANGLE, Table.FILTER, Table.SECURITY)
                    && hook(Hook.POSTROUTING, Table.MANGLE, Table.NAT);
        }

        boolean output() {
            Packet p = flow.packet;
            Optional<String> out = p.out() != null ? Optional.of(p.out()) : host.routeTo(p.dstBytes(), p.family());
            if (out.isEmpty()) {
                notes.add("no route to " + p.dstText() + ": the socket gets an error");
                return false;
            }
            flow.packet = p.withInterfaces(null, out.get());
            if (!hook(Hook.OUTPUT, Table.RAW)) {
                return false;
            }
            conntrack();
            boolean wasDnat = flow.dnat;
            if (!hook(Hook.OUTPUT, Table.MANGLE, Table.NAT)) {
                return false;
            }
            if (flow.dnat != wasDnat) {
                // The kernel routes a packet nat OUTPUT translated again, and drops it when there is no route.
                Optional<String> rerouted = host.routeTo(flow.packet.dstBytes(), p.family());
                if (rerouted.isEmpty() && host.known()) {
                    notes.add("no route to " + flow.packet.dstText() + " after DNAT: dropped by routing");
                    return false;
                }
                flow.packet = flow.packet.withInterfaces(null, rerouted.orElse(out.get()));
            }
            if (!hook(Hook.OUTPUT, Table.FILTER, Table.SECURITY)
                    || !hook(Hook.POSTROUTING, Table.MANGLE, Table.NAT)) {
                return false;
            }
            if ("lo".equals(flow.packet.out()) && host.known()) {
                return loopBack();
            }
            return true;
        }

        /** A packet to one of the host's own addresses comes back in on lo; its connection saw nat already. */
        private boolean loopBack() {
            flow.packet = flow.packet.withInterfaces("lo", null);
            natDone = true;
            flow.ctAttached = true;
            return hook(Hook.PREROUTING, Table.RAW, Table.MANGLE)
                    && hook(Hook.INPUT, Table.MANGLE, Table.FILTER, Table.SECURITY, Table.NAT);
        }
    }
}
