package io.rampart.api;

import io.rampart.model.Failure;
import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.DesiredState.DesiredRule;
import io.rampart.reconcile.DesiredState.DesiredTable;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import io.rampart.trace.Assumptions;
import io.rampart.trace.CompiledRuleset;
import io.rampart.trace.Host;
import io.rampart.trace.PacketSpec;
import io.rampart.trace.Step;
import io.rampart.trace.Trace;
import io.rampart.trace.TraceInputException;
import io.rampart.trace.Tracer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Refuses a ruleset that would drop the packets of the SSH session the command runs in: the
 * session's next incoming packet and its reply are traced through the ruleset as it will be after
 * the apply (the file's chains and every chain it leaves alone).
 */
final class LockoutGuard {

    /** The session {@code SSH_CONNECTION} describes: {@code client_ip client_port server_ip server_port}. */
    record SshSession(String client, int clientPort, String server, int serverPort) {

        /** The session, or empty when the variable is unset; a value that is not four fields is refused. */
        static Optional<SshSession> parse(String value) {
            if (value == null || value.isBlank()) {
                return Optional.empty();
            }
            String[] fields = value.strip().split("\\s+");
            if (fields.length == 4) {
                try {
                    int clientPort = Integer.parseInt(fields[1]);
                    int serverPort = Integer.parseInt(fields[3]);
                    Family family = fields[2].contains(":") ? Family.IPV6 : Family.IPV4;
                    if (Addresses.parseLiteral(fields[0], family) != null && Addresses.parseLiteral(fields[2], family)
                            != null && clientPort > 0 && clientPort < 65536 && serverPort > 0 && serverPort < 65536) {
                        return Optional.of(new SshSession(fields[0], clientPort, fields[2], serverPort));
                    }
                } catch (NumberFormatException e) {
                    // falls through to the refusal below
                }
            }
            throw new Failure(Failure.Category.INPUT, "SSH_CONNECTION `" + value + "' is not `CLIENT_IP CLIENT_PORT SERVER_IP"
                    + " SERVER_PORT', so the lockout guard cannot check the session; --force skips the check");
        }

        Family family() {
            return server.contains(":") ? Family.IPV6 : Family.IPV4;
        }

        @Override
        public String toString() {
            return bracketed(client) + ":" + clientPort + " -> " + bracketed(server) + ":" + serverPort;
        }

        static String bracketed(String address) {
            return address.contains(":") ? "[" + address + "]" : address;
        }
    }

    private LockoutGuard() {
    }

    /**
     * Throws an {@link Failure} naming the rule that would drop the session's packets once
     * the kernel holds {@code after} (iptables-save text); does nothing for a session of the other family.
     */
    static void check(SshSession session, String after, DesiredState desired, Host host, HostNames names) {
        Family family = desired.family();
        if (session.family() != family) {
            return;
        }
        String subject = "the SSH session this command runs in (" + session + ")";
        String skip = "; --force skips the check";
        check(subject, skip, "Allow the session first (e.g. -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED"
                + " -j ACCEPT before the rule), or give --force to apply anyway", after, desired, host, names, () -> {
                    String in = interfaceOf(host, session.server(), family);
                    return List.of(
                            new Leg("incoming packets", packet(session.client(), session.clientPort(),
                                    session.server(), session.serverPort(), "ACK", "ESTABLISHED").set("in", in)),
                            new Leg("replies", packet(session.server(), session.serverPort(), session.client(),
                                    session.clientPort(), "ACK", "ESTABLISHED").set("local", "true")));
                });
    }

    /**
     * Throws an {@link Failure} naming the rule that would drop {@code connection} once the
     * kernel holds {@code after}: its first packet (NEW) and those that follow (ESTABLISHED) as
     * they leave, and the server's replies as they arrive. A server of the other family, or one the
     * host has no route to, is no business of the ruleset's.
     */
    static void check(OutgoingConnection connection, String after, DesiredState desired, Host host,
                      HostNames names) {
        Family family = desired.family();
        if (connection.server().contains(":") != (family == Family.IPV6)) {
            return;
        }
        byte[] server = Addresses.parseLiteral(connection.server(), family);
        Optional<String> out = server == null ? Optional.empty() : host.routeTo(server, family);
        Optional<byte[]> local = out.flatMap(iface -> iface.equals("lo") ? Optional.of(server)
                : host.addressOf(iface, family));
        if (local.isEmpty()) {
            return;
        }
        String client = Addresses.format(local.get());
        int port = OutgoingConnection.LOCAL_PORT;
        String subject = "this host's connections to " + connection.purpose() + " (" + SshSession.bracketed(client)
                + ":" + port + " -> " + SshSession.bracketed(connection.server()) + ":" + connection.port() + ")";
        check(subject, "", "Allow them first (e.g. -A OUTPUT -p tcp -d " + connection.server() + " --dport "
                + connection.port() + " -j ACCEPT, and -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT"
                + " before the rule)", after, desired, host, names, () -> List.of(
                new Leg("new connections", packet(client, port, connection.server(), connection.port(), "SYN", "NEW")
                        .set("local", "true")),
                new Leg("outgoing packets", packet(client, port, connection.server(), connection.port(), "ACK",
                        "ESTABLISHED").set("local", "true")),
                new Leg("replies", packet(connection.server(), connection.port(), client, port, "SYN,ACK",
                        "ESTABLISHED").set("in", out.get())),
                new Leg("incoming packets", packet(connection.server(), connection.port(), client, port, "ACK",
                        "ESTABLISHED").set("in", out.get()))));
    }

    /** One packet of a connection, and what it is called in a refusal. */
    private record Leg(String what, PacketSpec packet) {
    }

    /** The legs of a connection, which may need the tracer's input checks. */
    @FunctionalInterface
    private interface Legs {
        List<Leg> get() throws TraceInputException;
    }

    private static void check(String subject, String skip, String advice, String after, DesiredState desired,
                              Host host, HostNames names, Legs legs) {
        Family family = desired.family();
        CompiledRuleset ruleset;
        try {
            ruleset = CompiledRuleset.of(new RulesetParser(StandardExtensions.registry(), family, names).parse(after));
        } catch (RulesetSyntaxException e) {
            throw new Failure(Failure.Category.INPUT, "the lockout guard cannot trace " + subject + ": the"
                    + " ruleset after the apply has a rule Rampart cannot model (" + e.getMessage() + ")" + skip);
        }
        Tracer tracer = new Tracer(ruleset, host, Assumptions.none(), false);
        try {
            for (Leg leg : legs.get()) {
                refuseIfDropped(tracer.trace(leg.packet().build(family)), leg.what(), subject, advice, desired);
            }
        } catch (TraceInputException e) {
            throw new Failure(Failure.Category.INPUT, "the lockout guard cannot trace " + subject + ": "
                    + e.getMessage() + skip);
        }
    }

    private static PacketSpec packet(String src, int sport, String dst, int dport, String flags, String state) {
        return new PacketSpec().set("proto", "tcp").set("src", src).set("sport", Integer.toString(sport))
                .set("dst", dst).set("dport", Integer.toString(dport)).set("tcp_flags", flags)
                .set("ct_state", state);
    }

    /** The interface holding the server's address, where the session's packets arrive; null when unknown. */
    private static String interfaceOf(Host host, String server, Family family) {
        byte[] address = Addresses.parseLiteral(server, family);
        return host.addresses().stream().filter(a -> Arrays.equals(a.prefix().address(), address))
                .map(Host.Address::iface).findFirst().orElse(null);
    }

    private static void refuseIfDropped(Trace trace, String what, String subject, String advice,
                                        DesiredState desired) {
        List<Trace> ways = new ArrayList<>(List.of(trace));
        trace.branches().forEach(branch -> ways.add(branch.trace()));
        for (Trace way : ways) {
            // an undecided way stopped at a rule the tracer cannot evaluate: it proves no cut-off
            if (way.verdict().equals("ACCEPT") || way.isUndecided() || way.steps().isEmpty()) {
                continue;
            }
            Step last = way.steps().get(way.steps().size() - 1);
            if (last.verdict().equals("ACCEPT")) {
                continue; // dropped by routing, not by a rule: nothing the ruleset can be blamed for
            }
            throw new Failure(Failure.Category.INPUT, culprit(last, desired) + "this ruleset would cut off "
                    + subject + ": its " + what + " are dropped by " + describe(last, desired)
                    + "; nothing was changed. " + advice);
        }
    }

    /** {@code file:line:1: error: } for a rule of the file, {@code file: error: } otherwise. */
    private static String culprit(Step step, DesiredState desired) {
        Optional<String> written = step.isPolicy() ? Optional.empty() : writtenAt(step, desired);
        return written.map(where -> where + ":1").orElse(desired.source()) + ": error: ";
    }

    private static String describe(Step step, DesiredState desired) {
        if (step.isPolicy()) {
            return "the policy " + step.verdict() + " of " + step.table() + " " + step.chain()
                    + (managedChain(step, desired).isPresent() ? "" : ", a chain " + desired.source()
                    + " does not manage");
        }
        return step.table() + " " + step.chain() + " rule " + step.rule() + " `" + step.text() + "'"
                + (writtenAt(step, desired).isPresent() ? "" : ", a rule " + desired.source() + " does not manage");
    }

    /** {@code file:line} of the file's rule the step is, when the file manages it. */
    private static Optional<String> writtenAt(Step step, DesiredState desired) {
        return managedChain(step, desired).stream().flatMap(t -> t.rulesOf(step.chain()).stream())
                .filter(rule -> rule.line().equals(step.text()) && rule.source() != null)
                .map(DesiredRule::source).findFirst();
    }

    private static Optional<DesiredTable> managedChain(Step step, DesiredState desired) {
        return Table.byLabel(step.table()).flatMap(desired::table).filter(t -> t.declares(step.chain()));
    }
}
