package io.rampart.analysis;

import io.rampart.trace.CtState;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
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

    /** The packet before raw: no connection looked up yet (INVALID to the rules), no mark on its connection. */
    PacketState(HeaderSpace space) {
        this.space = space;
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

    /** Applies {@code effect} to the arriving packets {@code packets}. */
    void apply(TargetEffects.Effect effect, int packets) {
        if (packets == space.no()) {
            return;
        }
        if (effect instanceof TargetEffects.SetMark m) {
            int where = m.connection() ? space.and(packets, tracked()) : packets;
            xmark(m.connection() ? space.ctMark : space.mark, m.value(), m.mask(), where);
        } else if (effect instanceof TargetEffects.CopyMark c) {
            copy(c, space.and(packets, tracked()));
        } else if (effect instanceof TargetEffects.Untrack) {
            set(space.ctState, CtState.UNTRACKED.ordinal(), packets);
        } else if (effect instanceof TargetEffects.Translate t) {
            translate(t, packets);
        } else if (effect instanceof TargetEffects.Unfollowed u) {
            throw new IllegalArgumentException(u.why());
        }
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
