package io.rampart.reconcile;

import io.rampart.model.extension.ExtensionRegistry;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Brings the kernel to a desired state: one iptables-save to read it, and, only when something
 * differs, one iptables-restore that changes exactly that. The entry point for programs that embed
 * Rampart.
 */
public final class Reconciler {

    /** iptables-restore names the failing input line in one of these two ways. */
    private static final Pattern FAILED_LINE = Pattern.compile("(?:line (\\d+) failed|Error occurred at line: (\\d+))");

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
     * @param notes what iptables-restore said while succeeding, e.g. that it waited for the xtables lock
     */
    public record Applied(Plan plan, boolean written, Duration took, String notes) {
    }

    /** Converges the kernel to {@code desired}; writes nothing when it already holds it. */
    public Applied apply(DesiredState desired) throws PlanException, ApplyException {
        long start = System.nanoTime();
        Plan plan = plan(desired);
        if (plan.isEmpty()) {
            return new Applied(plan, false, Duration.ofNanos(System.nanoTime() - start), "");
        }
        Xtables.RestoreResult result = xtables.restore(desired.family(), plan.script());
        if (!result.ok()) {
            throw new ApplyException(explain(plan, result.message()));
        }
        return new Applied(plan, true, Duration.ofNanos(System.nanoTime() - start), result.message().strip());
    }

    /** The kernel's message, led by the source line of the refused command when there is one. */
    static String explain(Plan plan, String message) {
        String firstLine = message.strip().lines().findFirst().orElse("refused");
        Matcher matcher = FAILED_LINE.matcher(message);
        if (matcher.find()) {
            int scriptLine = Integer.parseInt(matcher.group(1) != null ? matcher.group(1) : matcher.group(2));
            String command = plan.script().lines().skip(scriptLine - 1L).findFirst().orElse("");
            String source = scriptLine >= 1 && scriptLine <= plan.scriptSources().size()
                    ? plan.scriptSources().get(scriptLine - 1) : null;
            String where = (source != null ? source : plan.source()) + ": ";
            return where + "the kernel refused `" + command + "': " + firstLine
                    + " (nothing was changed)";
        }
        return plan.source() + ": the kernel refused the change: " + firstLine + " (nothing was changed)";
    }
}
