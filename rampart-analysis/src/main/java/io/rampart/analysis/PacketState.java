package io.rampart.analysis;

import io.rampart.model.extension.TargetSemantics;
import io.rampart.trace.CtState;
import io.rampart.trace.Packet;
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
    private int[] now;
    /** The variables no longer as they arrived. */
    private BitSet changed = new BitSet();
    /** Matches read through the substitution since it last changed. */
    private Map<Integer, Integer> read = new HashMap<>();
    /**
     * The same for the packets no rule changed: only the changes every packet undergoes (its state before
     * and after conntrack, routing's TTL). Most of a walk reads it: the packets a NAT rule translated leave
     * its chain, so the rules after it read the untranslated packets through a substitution that stays.
     */
    private int[] base;
    private BitSet baseChanged = new BitSet();
    private Map<Integer, Integer> baseRead = new HashMap<>();
    /** The arriving packets some rule changed. */
    private int touched;
    /** Whether a change being made is made to every packet (then made to both substitutions in turn). */
    private boolean everyPacket;
    /**
     * NAT's translations not made yet, each with its packets: a translation takes its packets out of the
     * nat chain, so the rules after it never read them, and a thousand translations in a row are made at
     * once, each bit one if-then-else over the union of the packets that set it, not one per rule.
     */
    private final List<TargetEffects.Translate> pending = new ArrayList<>();
    private final List<Integer> pendingPackets = new ArrayList<>();
    /** Of each pending translation's packets, those it changes: only their connections count as translated. */
    private final List<Integer> pendingTranslated = new ArrayList<>();

    /** What the walk belongs to: a verdict only the kernel knows is the same only in the same ruleset. */
    private final Object ruleset;

    /** The packets a target takes out of the walk, accepted and dropped (none for most targets). */
    record Taken(int accepted, int dropped) {
    }

    /**
     * The packet before raw: no connection looked up yet (INVALID to the rules); its connection's mark and
     * NAT are those it arrives with (none unless the connection existed before it, see
     * {@link HeaderSpace#wellFormed()}); {@code ruleset} identifies the ruleset walked (equal for equal rulesets).
     */
    PacketState(HeaderSpace space, Object ruleset) {
        this.space = space;
        this.ruleset = ruleset;
        this.now = new int[space.bdd().numberOfVariables()];
        Arrays.fill(now, -1);
        this.base = now.clone();
        this.touched = space.no();
        everyPacket(() -> {
            set(space.ctState, CtState.INVALID.ordinal(), space.yes());
        });
    }

    /** The arriving packets that match {@code match} (a set over the fields) now. */
    int now(int match) {
        translatePending();
        return read(match);
    }

    private int read(int match) {
        Integer known = read.get(match);
        if (known == null) {
            known = space.bdd().support(match).intersects(changed) ? space.keep(space.bdd().compose(match, now))
                    : match;
            read.put(match, known);
        }
        return known;
    }

    /**
     * A set that holds the same packets of {@code within} as {@link #now(int)}: read through the
     * substitution of unchanged packets when no packet of {@code within} was changed by a rule.
     */
    int now(int match, int within) {
        if (space.and(within, touched) != space.no()) {
            return now(match);
        }
        swap();
        try {
            return read(match);
        } finally {
            swap();
        }
    }

    /** Makes {@code change} to both substitutions, each from its own fields. */
    private void everyPacket(Runnable change) {
        translatePending();
        everyPacket = true;
        try {
            change.run();
            swap();
            change.run();
            swap();
        } finally {
            everyPacket = false;
        }
    }

    private void swap() {
        int[] at = now;
        now = base;
        base = at;
        BitSet bits = changed;
        changed = baseChanged;
        baseChanged = bits;
        Map<Integer, Integer> cache = read;
        read = baseRead;
        baseRead = cache;
    }

    /** After raw: conntrack gives each packet the state it arrived with, unless raw left it untracked. */
    void conntrack() {
        everyPacket(() -> {
            int untracked = now(space.equal(space.ctState, CtState.UNTRACKED.ordinal()));
            HeaderSpace.Field f = space.ctState;
            for (int i = 0; i < f.width(); i++) {
                int v = HeaderSpace.variable(f, i);
                int given = space.bit(f, i);
                now[v] = space.ite(untracked, (CtState.UNTRACKED.ordinal() >> i & 1) == 1 ? space.yes() : space.no(),
                        given);
            }
            read.clear();
        });
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
        if (effect instanceof TargetEffects.Translate t) {
            int translated = space.minus(packets, now(unchangedBy(t), packets));
            pending.add(t);
            pendingPackets.add(packets);
            pendingTranslated.add(translated);
            touched = space.or(touched, packets);
            return none;
        }
        translatePending();
        if (effect instanceof TargetEffects.SetMark m) {
            int at = m.connection() ? space.and(packets, tracked()) : packets;
            xmark(m.connection() ? space.ctMark : space.mark, m.value(), m.mask(), at);
        } else if (effect instanceof TargetEffects.CopyMark c) {
            copy(c, space.and(packets, tracked()));
        } else if (effect instanceof TargetEffects.Untrack) {
            set(space.ctState, CtState.UNTRACKED.ordinal(), packets);
        } else if (effect instanceof TargetEffects.SetTos t) {
            xmark(space.tos, t.value(), t.mask(), packets);
        } else if (effect instanceof TargetEffects.SetEcn e) {
            xmark(space.tos, e.tos().value(), e.tos().mask(), packets);
            xmark(space.tcpFlags, e.flagsValue(), e.flagsMask(), space.and(packets, now(space.equal(space.proto,
                    Packet.TCP))));
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

    /**
     * Routing forwards the packet: its TTL or hop limit goes down by one (made to every packet: those at 1
     * or below, which it drops, are no longer looked at).
     */
    void forwarded() {
        everyPacket(() -> hops(new TargetSemantics.HopLimit(TargetSemantics.Change.DECREASE, 1), space.yes()));
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
        translatePending();
        List<Integer> out = new ArrayList<>();
        for (HeaderSpace.Field f : space.fields()) {
            for (int v = f.first(); v < f.first() + f.width(); v++) {
                out.add(now[v]);
            }
        }
        return out;
    }

    /**
     * Makes the pending translations: per bit, the packets whose translation sets it, and those that set it to
     * one, each a balanced union (a packet is translated once in a chain, so the sets are disjoint).
     */
    private void translatePending() {
        if (pending.isEmpty()) {
            return;
        }
        Map<Integer, List<Integer>> setting = new HashMap<>();
        Map<Integer, List<Integer>> ones = new HashMap<>();
        for (int n = 0; n < pending.size(); n++) {
            TargetEffects.Translate t = pending.get(n);
            int packets = pendingPackets.get(n);
            if (t.address() != null) {
                HeaderSpace.Field f = t.destination() ? space.dst : space.src;
                for (int i = 0; i < f.width(); i++) {
                    int k = f.width() - 1 - i;
                    if ((t.mask()[k / 8] >> (7 - k % 8) & 1) == 1) {
                        sets(setting, ones, f, i, (t.address()[k / 8] >> (7 - k % 8) & 1) == 1, packets);
                    }
                }
            }
            if (t.port() >= 0) {
                HeaderSpace.Field f = t.destination() ? space.dport : space.sport;
                for (int i = 0; i < f.width(); i++) {
                    sets(setting, ones, f, i, (t.port() >> i & 1) == 1, packets);
                }
            }
            sets(setting, ones, t.destination() ? space.dnat : space.snat, 0, true, pendingTranslated.get(n));
        }
        pending.clear();
        pendingPackets.clear();
        pendingTranslated.clear();
        // Most bits are set by the same translations (every bit of an address): each union is made once.
        Map<List<Integer>, Integer> unions = new HashMap<>();
        setting.forEach((v, sets) -> {
            int old = now[v] < 0 ? space.bdd().variableNode(v) : now[v];
            int where = unions.computeIfAbsent(sets, space::union);
            int value = unions.computeIfAbsent(ones.getOrDefault(v, List.of()), space::union);
            now[v] = space.ite(where, value, old);
            changed.set(v);
        });
        read.clear();
    }

    /**
     * The packets {@code t} leaves as they are: the kernel's nf_nat_setup_info marks a connection translated
     * (what {@code --ctstate DNAT} and {@code SNAT} test) only when the translation changed its tuple.
     */
    private int unchangedBy(TargetEffects.Translate t) {
        int same = t.address() == null ? space.yes()
                : space.masked(t.destination() ? space.dst : space.src, t.address(), t.mask());
        if (t.port() >= 0) {
            same = space.and(same, space.equal(t.destination() ? space.dport : space.sport, t.port()));
        }
        return same;
    }

    private static void sets(Map<Integer, List<Integer>> setting, Map<Integer, List<Integer>> ones,
                             HeaderSpace.Field f, int i, boolean one, int packets) {
        int v = HeaderSpace.variable(f, i);
        setting.computeIfAbsent(v, x -> new ArrayList<>()).add(packets);
        if (one) {
            ones.computeIfAbsent(v, x -> new ArrayList<>()).add(packets);
        }
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
        if (!everyPacket) {
            touched = space.or(touched, packets);
        }
    }

    private int current(HeaderSpace.Field f, int i) {
        int v = HeaderSpace.variable(f, i);
        return now[v] < 0 ? space.bit(f, i) : now[v];
    }
}
