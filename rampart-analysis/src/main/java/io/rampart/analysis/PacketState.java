package io.rampart.analysis;

import io.rampart.trace.CtState;
import io.rampart.model.extension.TargetSemantics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The packet's fields as they are at one point of its way through the tables, each bit a set of
 * packets as they arrived: a rule's match, compiled over the fields, is turned into the arriving
 * packets it matches by substituting these bits. Every packet takes one way, so one substitution
 * serves all of them: a change made by a rule is the old bit where the rule did not match.
 */
final class PacketState {

    private final HeaderSpace space;
    /** Per variable: the set of arriving packets for which it is 1 now, or -1 while it is as it arrived. */
    private final int[] now;
    /** The variables no longer as they arrived. */
    private final BitSet changed = new BitSet();
    /** Matches read through the substitution since it last changed. */
    private final Map<Integer, Integer> read = new HashMap<>();

    /** What the walk belongs to: a verdict only the kernel knows is the same only in the same ruleset. */
    private final Object ruleset;

    /** The packets a target takes out of the walk, accepted and dropped (none for most targets). */
    record Taken(int accepted, int dropped) {
    }

    /**
     * The packet before raw: no connection looked up yet (INVALID to the rules), no mark on its connection;
     * {@code ruleset} identifies the ruleset walked (equal for equal rulesets).
     */
    PacketState(HeaderSpace space, Object ruleset) {
        this.space = space;
        this.ruleset = ruleset;
        this.now = new int[space.bdd().numberOfVariables()];
        Arrays.fill(now, -1);
        set(space.ctState, CtState.INVALID.ordinal(), space.yes());
        set(space.ctMark, 0, space.yes());
        set(space.dnat, 0, space.yes());
        set(space.snat, 0, space.yes());
    }

    /** The arriving packets that match {@code match} (a set over the fields) now. */
    int now(int match) {
        Integer known = read.get(match);
        if (known == null) {
            known = space.bdd().support(match).intersects(changed) ? space.keep(space.bdd().compose(match, now))
                    : match;
            read.put(match, known);
        }
        return known;
    }

    /** After raw: conntrack gives each packet the state it arrived with, unless raw left it untracked. */
    void conntrack() {
        int untracked = now(space.equal(space.ctState, CtState.UNTRACKED.ordinal()));
        HeaderSpace.Field f = space.ctState;
        for (int i = 0; i < f.width(); i++) {
            int v = HeaderSpace.variable(f, i);
            int given = space.bit(f, i);
            now[v] = space.ite(untracked, (CtState.UNTRACKED.ordinal() >> i & 1) == 1 ? space.yes() : space.no(), given);
        }
        read.clear();
    }

    /** The arriving packets that have a connection now. */
    int tracked() {
        return now(MatchCompiler.tracked(space));
    }

    /**
     * Applies {@code effect} of the rule at {@code where} to the arriving packets {@code packets}; the packets
     * the target takes out of the walk, by how they end.
     */
    Taken apply(TargetEffects.Effect effect, int packets, String where) {
        Taken none = new Taken(space.no(), space.no());
        if (packets == space.no()) {
            return none;
        }
        if (effect instanceof TargetEffects.SetMark m) {
            int at = m.connection() ? space.and(packets, tracked()) : packets;
            xmark(m.connection() ? space.ctMark : space.mark, m.value(), m.mask(), at);
        } else if (effect instanceof TargetEffects.CopyMark c) {
            copy(c, space.and(packets, tracked()));
        } else if (effect instanceof TargetEffects.Untrack) {
            set(space.ctState, CtState.UNTRACKED.ordinal(), packets);
        } else if (effect instanceof TargetEffects.Translate t) {
            translate(t, packets);
        } else if (effect instanceof TargetEffects.SetTos t) {
            xmark(space.tos, t.value(), t.mask(), packets);
        } else if (effect instanceof TargetEffects.SetHops h) {
            hops(h.change(), packets);
        } else if (effect instanceof TargetEffects.SetsUnknown u) {
            unknown(u, packets, where);
        } else if (effect instanceof TargetEffects.Undecided u) {
            return undecided(u.text(), packets, where);
        } else if (effect instanceof TargetEffects.Synproxy proxy) {
            long handshake = FIN | SYN | RST | ACK;
            int answered = space.and(packets, now(space.masked(space.tcpFlags, SYN, handshake)));
            int cookie = space.and(packets, now(space.masked(space.tcpFlags, ACK, handshake)));
            Taken checked = undecided(proxy.text(), cookie, where);
            return new Taken(checked.accepted(), space.or(answered, checked.dropped()));
        }
        return none;
    }

    private static final long FIN = 1;
    private static final long SYN = 2;
    private static final long RST = 4;
    private static final long ACK = 16;

    /** Routing forwards the packet: its TTL or hop limit goes down by one (those at 1 or below never get here). */
    void forwarded(int packets) {
        hops(new TargetSemantics.HopLimit(TargetSemantics.Change.DECREASE, 1), packets);
    }

    /**
     * The TTL as the kernel's TTL and HL targets change it: set, or decreased or increased by a constant,
     * stopping at 0 and 255; the sum or difference bit by bit, with its carry.
     */
    private void hops(TargetSemantics.HopLimit change, int packets) {
        HeaderSpace.Field f = space.ttl;
        if (change.change() == TargetSemantics.Change.SET) {
            set(f, change.amount(), packets);
            return;
        }
        boolean up = change.change() == TargetSemantics.Change.INCREASE;
        int[] next = new int[f.width()];
        int carry = space.no();
        for (int i = 0; i < f.width(); i++) {
            int a = current(f, i);
            boolean k = (change.amount() >> i & 1) == 1;
            int kNode = k ? space.yes() : space.no();
            next[i] = space.keep(space.bdd().xor(space.keep(space.bdd().xor(a, kNode)), carry));
            // Addition carries where two of a, k and the carry are set; subtraction borrows where
            // a is clear and k or the borrow is set, or where all three are.
            int notA = up ? a : space.not(a);
            carry = k ? space.or(notA, carry) : space.and(notA, carry);
        }
        int beyond = carry;
        int limit = up ? space.yes() : space.no();
        for (int i = 0; i < f.width(); i++) {
            bit(f, i, space.ite(beyond, limit, next[i]), packets);
        }
    }

    /** The fields {@code u} sets become free variables, shared wherever the target sees the same packet. */
    private void unknown(TargetEffects.SetsUnknown u, int packets, String where) {
        HeaderSpace.Field f = switch (u.field()) {
            case MARK -> space.mark;
            case SOURCE -> space.src;
            case DESTINATION -> space.dst;
        };
        List<Object> key = List.of(u.text(), u.field(), snapshot());
        String what = switch (u.field()) {
            case MARK -> "mark";
            case SOURCE -> "source address";
            case DESTINATION -> "destination address";
        };
        HeaderSpace.Field value = space.value(key, u.field().name(), f.width(),
                "`" + u.text() + "' at " + where + " sets the " + what + " that way");
        int inRange = space.yes();
        long last = u.offset() + u.count() - 1;
        if (u.count() > 0 && last <= f.allOnes()) {
            inRange = space.range(value, u.offset(), last);
        }
        for (int i = 0; i < f.width(); i++) {
            int given = space.bit(value, i);
            int fallback = (u.offset() >> i & 1) == 1 ? space.yes() : space.no();
            bit(f, i, space.ite(inRange, given, fallback), packets);
        }
    }

    /** The packets a target whose verdict only the kernel knows takes, accepted where its free choice says so. */
    private Taken undecided(String text, int packets, String where) {
        if (packets == space.no()) {
            return new Taken(space.no(), space.no());
        }
        // Not where it was written: equal rulesets name their rules apart, and a packet meets one such rule.
        List<Object> key = List.of(text, snapshot(), ruleset);
        int accepts = space.choice(key, "what `" + text + "' at " + where + " does ends in ACCEPT",
                "what `" + text + "' at " + where + " does ends in DROP");
        return new Taken(space.and(packets, accepts), space.and(packets, space.not(accepts)));
    }

    /**
     * The packet's fields as they are now, a value equal for equal states: what a target that reads them
     * sees (the free variables made since this walk began are not part of it).
     */
    private List<Integer> snapshot() {
        List<Integer> out = new ArrayList<>();
        for (HeaderSpace.Field f : space.fields()) {
            for (int v = f.first(); v < f.first() + f.width(); v++) {
                out.add(now[v]);
            }
        }
        return out;
    }

    private void translate(TargetEffects.Translate t, int packets) {
        if (t.address() != null) {
            HeaderSpace.Field f = t.destination() ? space.dst : space.src;
            for (int i = 0; i < f.width(); i++) {
                int k = f.width() - 1 - i;
                if ((t.mask()[k / 8] >> (7 - k % 8) & 1) == 1) {
                    bit(f, i, (t.address()[k / 8] >> (7 - k % 8) & 1) == 1 ? space.yes() : space.no(), packets);
                }
            }
        }
        if (t.port() >= 0) {
            set(t.destination() ? space.dport : space.sport, t.port(), packets);
        }
        set(t.destination() ? space.dnat : space.snat, 1, packets);
    }

    /** {@code (old & ~mask) ^ value} where {@code packets}. */
    private void xmark(HeaderSpace.Field f, long value, long mask, int packets) {
        for (int i = 0; i < f.width(); i++) {
            boolean one = (value >> i & 1) == 1;
            if ((mask >> i & 1) == 1) {
                bit(f, i, one ? space.yes() : space.no(), packets);
            } else if (one) {
                bit(f, i, space.not(current(f, i)), packets);
            }
        }
    }

    /**
     * Save: {@code ct = (ct & ~ctmask) ^ ((mark & nfmask) << shift)}; restore: {@code mark = (mark & ~nfmask)
     * ^ ((ct & ctmask) << shift)}, a negative shift to the right.
     */
    private void copy(TargetEffects.CopyMark c, int packets) {
        HeaderSpace.Field to = c.save() ? space.ctMark : space.mark;
        HeaderSpace.Field from = c.save() ? space.mark : space.ctMark;
        long cleared = c.save() ? c.ctmask() : c.nfmask();
        long copied = c.save() ? c.nfmask() : c.ctmask();
        int[] next = new int[to.width()];
        for (int i = 0; i < to.width(); i++) {
            int source = i - c.shift();
            int kept = (cleared >> i & 1) == 1 ? space.no() : current(to, i);
            int added = source >= 0 && source < from.width() && (copied >> source & 1) == 1 ? current(from, source)
                    : space.no();
            next[i] = space.keep(space.bdd().xor(kept, added));
        }
        for (int i = 0; i < to.width(); i++) {
            bit(to, i, next[i], packets);
        }
    }

    private void set(HeaderSpace.Field f, long value, int packets) {
        for (int i = 0; i < f.width(); i++) {
            bit(f, i, (value >> i & 1) == 1 ? space.yes() : space.no(), packets);
        }
    }

    /** Bit {@code i} of {@code f} becomes {@code value} for {@code packets}, stays for the others. */
    private void bit(HeaderSpace.Field f, int i, int value, int packets) {
        int v = HeaderSpace.variable(f, i);
        now[v] = space.ite(packets, value, current(f, i));
        changed.set(v);
        read.clear();
    }

    private int current(HeaderSpace.Field f, int i) {
        int v = HeaderSpace.variable(f, i);
        return now[v] < 0 ? space.bit(f, i) : now[v];
    }
}
