package io.rampart.reconcile;

import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.syntax.KernelModel;
import io.rampart.syntax.RestoreRefusal;
import io.rampart.syntax.RestoreScript;
import io.rampart.syntax.SavedState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Brings the kernel to a desired state: one iptables-save to read it, and, only when something
 * differs, one iptables-restore that changes exactly that and a listing of the chains it wrote to
 * check that it did. The entry point for programs that embed Rampart.
 *
 * <p>Other programs may write the same tables at any moment; the kernel offers nothing that would
 * refuse a write planned for an older state. So an apply holds the writers' lock (Rampart's other
 * writers wait), plans deletions in others' chains by rule text (a rule someone else deleted in
 * the meantime makes the whole restore fail, changing nothing), and reads back what it wrote. When
 * the restore failed on a kernel that changed since the read, or the read-back does not hold what
 * the plan meant to write, it plans again from a fresh read, up to {@value #ATTEMPTS} times. On
 * a view its owner keeps beside other writers (the agent's, {@link KernelView#attributing}), a
 * restore refused on a kernel that holds what was read is planned and written once more, as
 * another writer's change may have come and gone in between; only a second such refusal is the
 * plan's own. A command's apply reports the first, to be run again.
 */
public final class Reconciler {

    /** How often an apply plans, before it gives up on a kernel that keeps changing under it. */
    static final int ATTEMPTS = 5;

    private final Xtables xtables;
    private final Planner planner;

    public Reconciler(Xtables xtables, ExtensionRegistry registry) {
        this.xtables = xtables;
        this.planner = new Planner(registry);
    }

    /** What an apply would change now. An empty plan means the kernel holds the desired state. */
    public Plan plan(DesiredState desired) throws PlanException {
        return planner.plan(desired, LiveState.parse(xtables.save(desired.family())));
    }

    /**
     * The outcome of an apply.
     *
     * @param notes   what iptables-restore said while succeeding, e.g. that it waited for the xtables lock
     * @param replans how often the kernel changed under the apply, so that it planned again
     */
    public record Applied(Plan plan, boolean written, Duration took, String notes, int replans) {
    }

    /** A view of the family's rules in the kernel, to be kept up to date by its owner (see {@link KernelView}). */
    public KernelView view(Family family) {
        return new KernelView(xtables, family);
    }

    /**
     * As {@link #apply(DesiredState)}, planned on {@code view}: the chains marked as changed are
     * listed again first, and the plan covers only the chains that may differ ({@link KernelView#scope}).
     * After a write the chains the script names are listed to check it, which also brings the view
     * up to date; a view that tells its owner's writes ({@link KernelView#attributing}) takes them
     * from the script instead, and lists nothing. A write that failed or did not land as planned
     * makes the view read everything before the next plan.
     */
    public Applied apply(DesiredState desired, KernelView view) throws PlanException, ApplyException {
        long start = System.nanoTime();
        view.awaitOwnEnds(); // before the lock: other writers need not wait while the watcher catches up
        try (Xtables.Hold held = xtables.hold(desired.family())) {
            Plan written = null;
            boolean refusedOnItsRead = !view.attributes(); // a command's apply does not try again
            for (int attempt = 1; ; attempt++) {
                LiveState before = view.current();
                KernelView.Scope scope = view.scope(desired);
                Plan plan = planner.plan(desired, before, scope);
                if (plan.isEmpty()) {
                    view.synced(desired, scope);
                    return new Applied(written == null ? plan : written, written != null, since(start), "",
                            attempt - 1);
                }
                RestoreScript script = plan.restoreScript();
                Set<KernelView.TableChain> named = KernelView.chainsNamed(script);
                LiveState meant = simulated(SavedState.parse(view.textFor(named, script)), script);
                Xtables.RestoreResult result = xtables.restore(desired.family(), plan.script());
                if (result.ok()) {
                    written = plan;
                    boolean attributed = view.attributes() && result.writer().isPresent();
                    if (attributed) {
                        view.wroteBy(result.writer().getAsLong());
                    }
                    if (attributed && meant != null && view.take(meant, named)) {
                        view.synced(desired, scope);
                        return new Applied(plan, true, since(start), result.message().strip(), attempt - 1);
                    }
                    LiveState is = view.reread(named);
                    if (meant != null && holds(desired, meant, is, named::contains)) {
                        settle(desired, view, scope);
                        return new Applied(plan, true, since(start), result.message().strip(), attempt - 1);
                    }
                    view.uncertain();
                } else if (attempt < ATTEMPTS) {
                    boolean changed = !view.readAll().holdsTheSameAs(before);
                    if (changed || !refusedOnItsRead) {
                        // The kernel changed since it was read: plan again on what it holds now. Once
                        // also when it looks as read: another writer's change may have come and gone
                        // between the read and the write (a rule put into a chain the plan deletes).
                        refusedOnItsRead |= !changed;
                        continue;
                    }
                }
                if (attempt == ATTEMPTS || !result.ok()) {
                    view.uncertain();
                    throw new ApplyException(result.ok()
                            ? desired.source() + ": other programs kept changing the kernel's rules while they were"
                            + " applied (" + ATTEMPTS + " attempts); run the apply again"
                            : explain(plan, result.message()));
                }
            }
        }
    }

    /**
     * Converges the kernel to {@code desired}; writes nothing when it already holds it. The kernel is
     * read whole once; a write is checked by listing only the chains its script names (one
     * iptables-save when they are many), as {@link #apply(DesiredState, KernelView)} does.
     */
    public Applied apply(DesiredState desired) throws PlanException, ApplyException {
        return apply(desired, view(desired.family()));
    }

    /**
     * Records that the kernel holds {@code desired} after a write that landed as planned. When the
     * read-back read everything (a write naming many chains), chains the plan did not cover may
     * have changed meanwhile: a plan of every chain on what was read settles it, so that the next
     * sync need not plan them all (the agent's first apply on a fresh kernel).
     */
    private void settle(DesiredState desired, KernelView view, KernelView.Scope planned) throws PlanException {
        KernelView.Scope now = view.scope(desired);
        if (now.fullReadsBefore() == planned.fullReadsBefore()) {
            view.synced(desired, planned);
        } else if (planner.plan(desired, view.held(), now).isEmpty()) {
            view.synced(desired, now);
        }
    }

    /** What the plan's script leaves on {@code before}; null when the kernel would refuse it there. */
    private static LiveState simulated(SavedState before, RestoreScript script) {
        try {
            return LiveState.of(KernelModel.after(before, script));
        } catch (KernelModel.Refused refused) {
            return null; // when the kernel took the script, it did not hold what was read: plan again
        }
    }

    /** Whether {@code is} holds what {@code meant} does in the chains owned whole (and compared) and the bookkeeping. */
    private static boolean holds(DesiredState desired, LiveState meant, LiveState is,
                                 Predicate<KernelView.TableChain> compared) {
        for (LiveState.LiveTable table : meant.tables()) {
            LiveState.LiveTable actual = is.table(table.table()).orElse(null);
            if (actual == null) {
                return false;
            }
            List<String> owned = new ArrayList<>(List.of(Bookkeeping.CHAIN));
            desired.table(table.table()).ifPresent(want -> want.chains().stream()
                    .filter(chain -> chain.sharing() == Chain.Sharing.WHOLE)
                    .forEach(chain -> owned.add(chain.name())));
            for (String chain : owned) {
                if (compared.test(new KernelView.TableChain(table.table(), chain))
                        && (table.has(chain) != actual.has(chain) || !table.rulesOf(chain).equals(actual.rulesOf(chain)))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** The kernel's message, led by the source line of the refused command when there is one. */
    static String explain(Plan plan, String message) {
        RestoreScript script = plan.restoreScript();
        RestoreRefusal refusal = RestoreRefusal.of(message);
        String source = refusal.command(script).map(RestoreScript.Command::source).orElse(plan.source());
        return source + ": " + refusal.explain(script);
    }
}
