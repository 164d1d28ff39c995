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
        Run run = new Run(new Flow(packet, host));
        boolean accepted = packet.local() ? run.output() : run.arrive();
        return new Trace(accepted ? "ACCEPT" : "DROP", run.steps, run.flow.packet.withCtState(run.flow.state), run.notes);
    }

    /** One packet's way: its flow, the steps so far and the notes. */
    private final class Run {

        final Flow flow;
        final List<Step> steps = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        boolean natDone;

        Run(Flow flow) {
            this.flow = flow;
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
                notes.add("TTL " + p.ttl() + " expires before FORWARD: dropped with an ICMP time exceeded");
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
                Optional<String> rerouted = host.routeTo(flow.packet.dstBytes(), p.family());
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
