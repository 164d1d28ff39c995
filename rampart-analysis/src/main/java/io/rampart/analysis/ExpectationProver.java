package io.rampart.analysis;

import io.rampart.model.extension.HostNames;
import io.rampart.trace.Assumptions;
import io.rampart.trace.CompiledRuleset;
import io.rampart.trace.Host;
import io.rampart.trace.Packet;
import io.rampart.trace.Tracer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Proves or refutes each expectation over all the packets it names (as they arrive), through every
 * table they meet on the expectation's path, as {@link RulesetDiff} does. A refuted expectation
 * gets a counterexample packet, traced through the ruleset with the tracer before it is reported; one whose answer hangs on matches the
 * encoding does not model is neither passed nor failed, and says which matches.
 */
public final class ExpectationProver {

    /** What was found for one expectation. */
    public enum Status { PASS, FAIL, UNKNOWN }

    /**
     * The answer for one expectation.
     *
     * @param text     the expectation as written, after {@code expect}
     * @param region   the packets that break it, in words (null when it passes)
     * @param packet   a counterexample in {@code trace}'s keys (null when it passes)
     * @param got      how the ruleset decides the counterexample (null when it passes)
     * @param onlyIf   for UNKNOWN, the unmodelled matches the failure hangs on, with "matches" or "does not match"
     * @param traced   whether the tracer confirmed the counterexample
     */
    public record Result(int line, String text, Status status, String chain, String region,
                         Map<String, String> packet, RulesetDiff.Verdict got, List<String> onlyIf, boolean traced) {
    }

    /**
     * Lines that cannot be proved against this ruleset: packets no packet can be (`udp flags SYN'), or a
     * decider the ruleset does not have (a chain, a rule number, a file:line). Each is a mistake of the
     * expectations file, at its line and column, not a pass or a failure.
     */
    public static final class Mistakes extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient List<Expectations.Problem> problems;

        Mistakes(String file, List<Expectations.Problem> problems) {
            super(file + " has mistakes");
            this.problems = List.copyOf(problems);
        }

        public List<Expectations.Problem> problems() {
            return problems;
        }
    }

    private final RulesetDiff.Side side;
    private final HeaderSpace space;
    private final RulesetDiff.Decider semantics;
    private final Tracer tracer;
    private final HostNames names;

    private ExpectationProver(RulesetDiff.Side side, Expectations expectations) {
        this.side = side;
        this.names = expectations.names();
        Set<String> patterns = new TreeSet<>();
        RulesetDiff.interfacePatterns(side.ruleset(), patterns);
        expectations.all().forEach(e -> patterns.addAll(e.interfaces()));
        space = new HeaderSpace(side.ruleset().family(), new InterfaceDomain(patterns));
        semantics = Pipeline.needed(side.ruleset()) ? RulesetDiff.Decider.of(space, new Pipeline(space, side))
                : RulesetDiff.Decider.of(RulesetDiff.filter(space, side));
        tracer = new Tracer(CompiledRuleset.of(side.ruleset(), side.locations()), Host.unknown(), Assumptions.none(),
                false);
    }

    /** Each expectation of {@code expectations} (which must have no problems) against {@code side}'s ruleset. */
    public static List<Result> prove(RulesetDiff.Side side, Expectations expectations) {
        if (expectations.hasErrors()) {
            throw new IllegalArgumentException(expectations.file() + " has mistakes");
        }
        if (expectations.size() > 0 && side.ruleset().family() != expectations.family()) {
            throw new io.rampart.model.Failure(io.rampart.model.Failure.Category.INPUT, expectations.file()
                    + " was read for " + expectations.family().command()
                    + ", " + side.file() + " is " + side.ruleset().family().command());
        }
        ExpectationProver prover = new ExpectationProver(side, expectations);
        List<Expectations.Problem> problems = new ArrayList<>();
        for (Expectations.Expectation e : expectations.all()) {
            prover.mistake(e).ifPresent(problems::add);
        }
        if (!problems.isEmpty()) {
            throw new Mistakes(expectations.file(), problems);
        }
        List<Result> out = new ArrayList<>();
        for (Expectations.Expectation e : expectations.all()) {
            out.add(prover.prove(e));
        }
        return out;
    }

    /** The packets of the line as they enter its chain. */
    private int set(Expectations.Expectation e) {
        int set = space.and(space.entering(e.chain()), packets(e));
        if (e.packet() == null && e.chain().equals("FORWARD")) {
            // A set of forwarded packets means those that can be forwarded: not those that arrive at their last hop.
            set = space.minus(set, space.range(space.ttl, 0, 1));
        }
        return set;
    }

    /** Why the line cannot be proved against this ruleset, if it cannot: see {@link Mistakes}. */
    private Optional<Expectations.Problem> mistake(Expectations.Expectation e) {
        if (e.packet() == null && set(e) == space.no()) {
            return Optional.of(new Expectations.Problem(e.line(), e.column(), "no packet is all of this: the"
                    + " selectors contradict each other", "a port needs tcp, udp, sctp, dccp or udplite, flags tcp,"
                    + " an icmp-type icmp; two of from, to, port, proto, ... must overlap"));
        }
        Expectations.Decider by = e.by();
        if (by == null || by.policy()) {
            return Optional.empty();
        }
        if (by.location() != null) {
            for (io.rampart.model.TableRules t : side.ruleset().tables()) {
                for (int i = 0; i < t.rules().size(); i++) {
                    String where = side.locations().of(t.table(), i);
                    if (where != null && (where.equals(by.location()) || where.endsWith("/" + by.location()))) {
                        return Optional.empty();
                    }
                }
            }
            return Optional.of(new Expectations.Problem(e.line(), e.byColumn(), "no rule of " + side.file()
                    + " is written at " + by.location(), "name a line that holds a rule, a chain or `policy'"));
        }
        int most = -1;
        for (io.rampart.model.TableRules t : side.ruleset().tables()) {
            if (t.chain(by.chain()).isPresent()) {
                most = Math.max(most, t.rulesOf(by.chain()).size());
            }
        }
        if (most < 0) {
            return Optional.of(new Expectations.Problem(e.line(), e.byColumn(), side.file() + " has no chain "
                    + by.chain(), "name a chain of the ruleset, `policy' or FILE:LINE"));
        }
        if (by.rule() > most) {
            return Optional.of(new Expectations.Problem(e.line(), e.byColumn(), "chain " + by.chain() + " of "
                    + side.file() + " has " + most + (most == 1 ? " rule" : " rules") + ", not " + by.rule(), null));
        }
        return Optional.empty();
    }

    private Result prove(Expectations.Expectation e) {
        int set = set(e);
        List<ChainSemantics.Decision> decisions = semantics.decide(e.chain(), set);
        List<Integer> wanted = new ArrayList<>();
        List<Integer> unwanted = new ArrayList<>();
        for (ChainSemantics.Decision d : decisions) {
            (admits(e, d) ? wanted : unwanted).add(d.packets());
        }
        int good = space.union(wanted);
        if (e.quantifier() == Expectations.Quantifier.SOME) {
            return some(e, set, good, decisions);
        }
        int violations = e.quantifier() == Expectations.Quantifier.NONE ? good : space.union(unwanted);
        if (violations == space.no()) {
            return pass(e);
        }
        int always = space.not(space.exists(space.not(violations), space.freeSet()));
        if (always != space.no()) {
            return refuted(e, always, decisions);
        }
        return hanging(e, violations, decisions, null);
    }

    /** At least one packet of the set gets the verdict, whatever unmodelled matches do. */
    private Result some(Expectations.Expectation e, int set, int good, List<ChainSemantics.Decision> decisions) {
        BitSet header = new BitSet();
        header.set(0, space.bdd().numberOfVariables());
        header.andNot(space.freeSet());
        int possible = space.exists(good, header);
        if (possible == space.yes()) {
            return pass(e);
        }
        if (set == space.no()) {
            return new Result(e.line(), e.text(), Status.FAIL, e.chain(), "no packet", null, null, List.of(), false);
        }
        if (possible == space.no()) {
            return refuted(e, set, decisions);
        }
        // Some outcome of the unmodelled matches leaves no packet the verdict: show one packet of that case.
        return hanging(e, space.and(set, space.not(possible)), decisions, null);
    }

    private Result pass(Expectations.Expectation e) {
        return new Result(e.line(), e.text(), Status.PASS, e.chain(), null, null, null, List.of(), false);
    }

    /** Broken whatever the unmodelled matches do: a counterexample from {@code region}, traced. */
    private Result refuted(Expectations.Expectation e, int region, List<ChainSemantics.Decision> decisions) {
        BitSet point = space.bdd().getSatisfyingAssignment(RulesetDiff.typical(space, region));
        Map<String, String> packet = RulesetDiff.packet(space, e.chain(), point);
        Optional<ChainSemantics.Decision> traced = RulesetDiff.confirm(space, tracer, side, e.chain(), packet, point,
                decisions);
        Optional<RulesetDiff.Stop> undecided = RulesetDiff.undecidedAt(tracer, side, packet);
        if (undecided.isPresent()) {
            // The tracer cannot tell what that rule does to the packet: the answer hangs on it.
            return hanging(e, region, decisions, undecided.get());
        }
        ChainSemantics.Decision decision = traced.orElseGet(() -> containing(decisions, point));
        boolean breaks = e.quantifier() == Expectations.Quantifier.NONE ? admits(e, decision) : !admits(e, decision);
        if (!breaks) {
            throw new IllegalStateException("self-check failed: the tracer decides " + packet + " by "
                    + decision.where() + ", which keeps the expectation at line " + e.line());
        }
        return new Result(e.line(), e.text(), Status.FAIL, e.chain(), describe(e, region), packet, verdict(decision),
                List.of(), traced.isPresent());
    }

    /**
     * Broken only for some outcomes of unmodelled matches or unfollowed effects (or where the tracer stops
     * at {@code undecided}, when not null): which, and a packet of that case.
     */
    private Result hanging(Expectations.Expectation e, int violations, List<ChainSemantics.Decision> decisions,
                           RulesetDiff.Stop undecided) {
        BitSet point = space.bdd().getSatisfyingAssignment(RulesetDiff.typical(space, violations));
        if (undecided != null) {
            space.freeSet().stream().forEach(point::set);
        }
        ChainSemantics.Decision decision = containing(decisions, point);
        int region = space.and(violations, decision.packets());
        List<String> onlyIf = new ArrayList<>(RulesetDiff.onlyIf(space, region, point));
        if (undecided != null && onlyIf.stream().noneMatch(c -> c.contains("' at " + undecided.where() + " "))) {
            onlyIf.add(undecided.condition());
        }
        return new Result(e.line(), e.text(), Status.UNKNOWN, e.chain(),
                describe(e, RulesetDiff.fixedAsIn(space, region, point)),
                RulesetDiff.packet(space, e.chain(), point), verdict(decision), List.copyOf(onlyIf), false);
    }

    /** The packets that break the expectation in words; one packet is named by itself. */
    private String describe(Expectations.Expectation e, int region) {
        return e.packet() != null ? "this packet" : new RegionText(space, region,
                space.entering(e.chain()), names).describe();
    }

    private ChainSemantics.Decision containing(List<ChainSemantics.Decision> decisions, BitSet point) {
        return decisions.stream().filter(d -> space.bdd().evaluate(d.packets(), point)).findFirst().orElseThrow();
    }

    private static boolean admits(Expectations.Expectation e, ChainSemantics.Decision d) {
        return e.wanted().admits(d.verdict()) && (e.by() == null || e.by().admits(d));
    }

    private static RulesetDiff.Verdict verdict(ChainSemantics.Decision d) {
        return new RulesetDiff.Verdict(d.verdict(), d.chain(), d.rule(), d.where());
    }

    /** The packets the expectation speaks of: its selectors' intersection, or its one packet. */
    private int packets(Expectations.Expectation e) {
        if (e.packet() != null) {
            return packet(e.packet());
        }
        int set = space.yes();
        for (Expectations.Selector s : e.selectors()) {
            set = space.and(set, s.packets(space));
        }
        return set;
    }

    /** One packet as a set: every field it has fixed, its state the one conntrack gives it unless it says. */
    private int packet(Packet p) {
        Packet traced = tracer.trace(p).packet();
        InterfaceDomain names = space.interfaces();
        int set = space.and(space.equal(space.proto, p.proto()),
                space.equal(space.in, p.in() == null ? InterfaceDomain.NONE : names.indexOf(p.in())));
        set = space.and(set, space.equal(space.out, p.out() == null ? InterfaceDomain.NONE : names.indexOf(p.out())));
        byte[] all = new byte[p.family().addressBits() / 8];
        java.util.Arrays.fill(all, (byte) 0xff);
        set = space.and(set, space.masked(space.src, p.src(), all));
        set = space.and(set, space.masked(space.dst, p.dst(), all));
        if (p.hasPorts()) {
            set = space.and(set, space.and(space.equal(space.sport, p.sport()), space.equal(space.dport, p.dport())));
        }
        if (p.proto() == Packet.TCP) {
            set = space.and(set, space.equal(space.tcpFlags, p.tcpFlags()));
        }
        if (p.isIcmp()) {
            set = space.and(set, space.and(space.equal(space.icmpType, p.icmpType()),
                    space.equal(space.icmpCode, p.icmpCode())));
        }
        set = space.and(set, space.and(space.equal(space.ttl, p.ttl()), space.equal(space.tos, p.tos())));
        set = space.and(set, space.equal(space.length, space.lengthField(p.length())));
        set = space.and(set, space.equal(space.mark, p.mark()));
        set = space.and(set, space.and(space.equal(space.ctMark, p.ctMark()), space.and(
                space.equal(space.snat, (p.ctNat() & Packet.CT_SNAT) != 0 ? 1 : 0),
                space.equal(space.dnat, (p.ctNat() & Packet.CT_DNAT) != 0 ? 1 : 0))));
        io.rampart.trace.CtState state = p.ctState() != null ? p.ctState()
                : traced.ctState() != null ? traced.ctState() : io.rampart.trace.CtState.NEW;
        return space.and(set, space.equal(space.ctState, state.ordinal()));
    }
}
