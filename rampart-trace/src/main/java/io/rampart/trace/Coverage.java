package io.rampart.trace;

import io.rampart.model.Family;
import io.rampart.model.Match;
import io.rampart.model.Option;
import io.rampart.model.Rule;
import io.rampart.model.RuleLocations;
import io.rampart.model.Ruleset;
import io.rampart.model.TableRules;
import io.rampart.trace.capture.CaptureReader;
import io.rampart.trace.capture.FrameDecoder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replays captured packets through rulesets with the tracer and counts, per rule, the packets that
 * matched it. Connections are followed as conntrack follows them: a connection's first packet
 * gets the state conntrack gives a first packet, later ones in its direction NEW until a reply was
 * seen, replies and everything after ESTABLISHED, an ICMP error about it RELATED; a first packet
 * the rules do not accept makes no connection. Packets that differ only in fields no rule of
 * their family reads share one trace, so a capture costs one trace per kind of packet, not per packet.
 */
public final class Coverage implements CaptureReader.FrameSink {

    /** One family's rules, where each was written, and the host they run on. */
    public record Rules(Ruleset ruleset, RuleLocations locations, Host host) {
    }

    /** A rule and the packets that matched it. */
    public record RuleHits(String table, String chain, int rule, String text, String source, long hits) {
    }

    /** A built-in chain's policy and the packets it decided. */
    public record PolicyHits(String family, String table, String chain, String policy, long hits) {
    }

    /** A rule the tracer stopped at, with the match it cannot evaluate, and how many packets stopped there. */
    public record Stopped(String table, String chain, int rule, String source, String condition, long packets) {
    }

    /**
     * What the replay found.
     *
     * @param frames   every frame of the capture
     * @param packets  the packets replayed
     * @param skipped  frames not replayed, by reason
     * @param assumed  packets whose trace assumed a match decided by history or chance
     */
    public record Result(long frames, long packets, Map<String, Long> skipped, long connections,
                         Map<String, List<RuleHits>> rules, List<PolicyHits> policies, List<Stopped> stopped,
                         long assumed) {

        /** The rules of each family no packet matched, in the order written. */
        public Map<String, List<RuleHits>> neverHit() {
            Map<String, List<RuleHits>> out = new LinkedHashMap<>();
            rules.forEach((family, list) -> out.put(family, list.stream().filter(r -> r.hits() == 0).toList()));
            return out;
        }
    }

    /** One family's replay: its tracer, its rules' counters, what its rules read. */
    private static final class Side {
        final Tracer tracer;
        final List<CompiledRuleset.RuleRef> rules;
        final long[] hits;
        final Map<String, Integer> index = new HashMap<>();
        final Map<Packet, Outcome> cache = new HashMap<>();
        final boolean readsLength;
        final boolean readsTtl;
        final boolean readsTos;
        /** Whether a rule reads or changes TCP's ECE and CWR flags, which only the ecn match and target do. */
        final boolean readsEcnFlags;
        final boolean readsSourcePort;

        final Host host;

        Side(Rules rules) {
            host = rules.host();
            CompiledRuleset compiled = CompiledRuleset.of(rules.ruleset(), rules.locations());
            tracer = new Tracer(compiled, host, Assumptions.none(), false);
            this.rules = compiled.everyRule();
            hits = new long[this.rules.size()];
            for (int i = 0; i < this.rules.size(); i++) {
                CompiledRuleset.RuleRef r = this.rules.get(i);
                index.put(r.table() + " " + r.chain() + " " + r.rule(), i);
            }
            Set<String> matches = new java.util.HashSet<>();
            Set<String> targets = new java.util.HashSet<>();
            boolean sourcePortOption = false;
            for (TableRules table : rules.ruleset().tables()) {
                Set<String> chains = new java.util.HashSet<>();
                table.chains().forEach(c -> chains.add(c.name()));
                for (Rule rule : table.rules()) {
                    for (Match m : rule.matches()) {
                        matches.add(m.extension());
                        for (Option o : m.options()) {
                            sourcePortOption |= o.name().contains("port") && !DESTINATION_PORTS.contains(o.name());
                        }
                    }
                    if (rule.target() != null && !chains.contains(rule.target().name())) {
                        targets.add(rule.target().name());
                    }
                }
            }
            readsLength = matches.contains("length");
            readsTtl = matches.contains("ttl") || matches.contains("hl") || targets.contains("TTL")
                    || targets.contains("HL");
            readsTos = matches.contains("tos") || matches.contains("dscp") || matches.contains("ecn")
                    || targets.contains("TOS") || targets.contains("DSCP") || targets.contains("ECN");
            readsEcnFlags = matches.contains("ecn") || targets.contains("ECN");
            readsSourcePort = sourcePortOption || !PORT_BLIND_TARGETS.containsAll(targets);
        }

        /**
         * The packet with the fields no rule reads set to one value, so that packets differing only there
         * share a trace: the tracer reads a length only for {@code -m length}, a TTL for ttl/hl matches,
         * TTL and HL targets and the expiry before forwarding (kept apart), the TOS byte for tos, dscp and
         * ecn matches and targets, TCP's ECE and CWR flags for ecn's, and a source port for port options and
         * targets that rewrite or hash ports.
         */
        Packet key(Packet p) {
            int ttl = readsTtl || p.ttl() <= 1 ? p.ttl() : 64;
            return new Packet(p.family(), p.in(), p.out(), p.local(), p.srcBytes(), p.dstBytes(), p.proto(),
                    readsSourcePort || !p.hasPorts() ? p.sport() : 0, p.dport(),
                    readsEcnFlags ? p.tcpFlags() : p.tcpFlags() & ~(Packet.ECE | Packet.CWR),
                    p.icmpType(), p.icmpCode(), ttl, readsTos ? p.tos() : 0, readsLength ? p.length() : 0, p.mark(), p.ctState(),
                    p.spi(), p.ctMark(), p.ctNat());
        }
    }

    /** What one trace did: the rules it matched (by index), its policy, verdict, state and where it stopped. */
    /** What a trace did, with the mark and NAT it left on the packet's connection (for the connection's later packets). */
    private record Outcome(int[] rules, String policy, boolean accepted, CtState state, Stopped stopped,
                           boolean assumed, long ctMark, int ctNat) {
    }

    private static final Set<String> DESTINATION_PORTS = Set.of("dport", "dports", "destination-port",
            "destination-ports");

    /** Targets that neither rewrite nor hash a packet's ports. */
    private static final Set<String> PORT_BLIND_TARGETS = Set.of("ACCEPT", "DROP", "REJECT", "RETURN", "LOG", "NFLOG",
            "MARK", "CONNMARK", "TRACE", "AUDIT", "CHECKSUM", "CLASSIFY", "TCPMSS", "TTL", "HL", "TOS", "DSCP", "ECN",
            "NOTRACK", "CT", "QUEUE", "NFQUEUE", "SECMARK", "CONNSECMARK");

    /** A connection conntrack keeps: its original direction and whether a reply was seen. */
    private static final class Connection {
        final FrameDecoder.Tuple original;
        boolean replied;
        /** The mark and NAT its first packet's rules left on it, which its later packets meet. */
        final long ctMark;
        final int ctNat;

        Connection(FrameDecoder.Tuple original, long ctMark, int ctNat) {
            this.original = original;
            this.ctMark = ctMark;
            this.ctNat = ctNat;
        }
    }

    private final Map<Family, Side> sides = new EnumMap<>(Family.class);
    private final String interfaceName;
    private final FrameDecoder decoder = new FrameDecoder();
    private final Map<FrameDecoder.Tuple, Connection> connections = new HashMap<>();
    private final Map<String, Long> skipped = new LinkedHashMap<>();
    private final Map<String, Long> policies = new LinkedHashMap<>();
    private final Map<String, Stopped> stopped = new LinkedHashMap<>();
    private long frames;
    private long packets;
    private long connectionCount;
    private long assumed;

    /**
     * @param interfaceName the interface every packet arrives on (or leaves by); null for the one the
     *                      capture names
     */
    public Coverage(List<Rules> rules, String interfaceName) {
        for (Rules r : rules) {
            sides.put(r.ruleset().family(), new Side(r));
        }
        this.interfaceName = interfaceName;
    }

    /** Replays one frame; a capture that names no interface when none was given is refused. */
    @Override
    public void frame(int linkType, byte[] data, int length, CaptureReader.Direction direction, String captured) {
        frames++;
        FrameDecoder.Decoded d = decoder.decode(linkType, data, length);
        if (d == null) {
            count(skipped, switch (decoder.skipped()) {
                case NOT_IP -> "not IP";
                case FRAGMENT -> "fragments after the first";
                case SHORT -> "cut short";
                case LINK_TYPE -> "link type " + linkType;
            });
            return;
        }
        Side side = sides.get(d.family());
        if (side == null) {
            count(skipped, d.family().command() + " packets, for which the ruleset has no rules");
            return;
        }
        String iface = interfaceName != null ? interfaceName : captured == null || captured.equals("any") ? null
                : captured;
        if (iface == null) {
            throw new io.rampart.model.Failure(io.rampart.model.Failure.Category.INPUT,
                    "the capture does not name the interface its packets "
                    + (captured == null ? "came by" : "came by (it was taken on `any')") + ": give --in IFACE");
        }
        boolean sent = direction == CaptureReader.Direction.OUTBOUND || d.sent()
                || side.host.known() && side.host.isLocal(d.src(), d.family());
        packets++;
        Connection connection = connections.get(d.flow());
        CtState state = null;
        Connection of = connection;
        if (connection != null) {
            connection.replied |= !connection.original.equals(d.flow());
            state = connection.replied ? CtState.ESTABLISHED : CtState.NEW;
        } else if (d.quoted() != null && connections.containsKey(d.quoted())) {
            state = CtState.RELATED;
            of = connections.get(d.quoted());
        }
        Packet packet = new Packet(d.family(), sent ? null : iface, sent ? iface : null, sent, d.src(), d.dst(),
                d.proto(), d.sport(), d.dport(), d.tcpFlags(), d.icmpType(), d.icmpCode(), d.ttl(), d.tos(),
                d.length(), 0, state, d.spi(), state != null && state.existingConnection() ? of.ctMark : 0,
                state != null && state.existingConnection() ? of.ctNat : 0);
        Packet key = side.key(packet);
        Outcome outcome = side.cache.get(key);
        if (outcome == null) {
            outcome = outcome(side, side.tracer.trace(key));
            side.cache.put(key, outcome);
        }
        for (int rule : outcome.rules()) {
            side.hits[rule]++;
        }
        if (outcome.policy() != null) {
            count(policies, d.family().command() + " " + outcome.policy());
        }
        if (outcome.stopped() != null) {
            Stopped s = outcome.stopped();
            stopped.merge(d.family().command() + " " + s.table() + " " + s.chain() + " " + s.rule(), s,
                    (a, b) -> new Stopped(a.table(), a.chain(), a.rule(), a.source(), a.condition(), a.packets() + 1));
        }
        if (outcome.assumed()) {
            assumed++;
        }
        if (connection == null && state == null && outcome.accepted() && outcome.state() == CtState.NEW) {
            Connection made = new Connection(d.flow(), outcome.ctMark(), outcome.ctNat());
            connections.put(d.flow(), made);
            connections.put(d.flow().reversed(), made);
            connectionCount++;
        }
    }

    private static Outcome outcome(Side side, Trace trace) {
        List<Integer> matched = new ArrayList<>();
        String policy = null;
        for (Step step : trace.steps()) {
            if (step.isPolicy()) {
                policy = step.table() + " " + step.chain() + " " + step.verdict();
            } else {
                matched.add(side.index.get(step.table() + " " + step.chain() + " " + step.rule()));
            }
        }
        Trace.Undecided u = trace.undecided();
        if (u != null && u.atTarget()) {
            // The rule matched; only its target's verdict is beyond the tracer (a queue's program, a socket).
            matched.add(side.index.get(u.table() + " " + u.chain() + " " + u.rule()));
        }
        Stopped stopped = u == null ? null : new Stopped(u.table(), u.chain(), u.rule(), u.source(), u.condition(), 1);
        boolean assumed = !trace.branches().isEmpty() || trace.notes().stream().anyMatch(n -> n.startsWith("assumed"));
        return new Outcome(matched.stream().mapToInt(Integer::intValue).toArray(), policy,
                trace.verdict().equals("ACCEPT"), trace.packet().ctState(), stopped, assumed, trace.packet().ctMark(),
                trace.packet().ctNat());
    }

    private static void count(Map<String, Long> counts, String key) {
        counts.merge(key, 1L, Long::sum);
    }

    public Result result() {
        Map<String, List<RuleHits>> rules = new LinkedHashMap<>();
        sides.forEach((family, side) -> {
            List<RuleHits> list = new ArrayList<>();
            for (int i = 0; i < side.rules.size(); i++) {
                CompiledRuleset.RuleRef r = side.rules.get(i);
                list.add(new RuleHits(r.table(), r.chain(), r.rule(), r.text(), r.source(), side.hits[i]));
            }
            rules.put(family.command(), list);
        });
        List<PolicyHits> policyHits = new ArrayList<>();
        policies.forEach((key, hits) -> {
            String[] parts = key.split(" ");
            policyHits.add(new PolicyHits(parts[0], parts[1], parts[2], parts[3], hits));
        });
        return new Result(frames, packets, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(skipped)), connectionCount, rules, policyHits,
                List.copyOf(stopped.values()), assumed);
    }
}
