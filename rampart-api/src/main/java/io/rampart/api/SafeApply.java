package io.rampart.api;

import io.rampart.api.PendingConfirmation.State;
import io.rampart.model.Failure;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.LiveState;
import io.rampart.reconcile.Plan;
import io.rampart.reconcile.PlanException;
import io.rampart.reconcile.Planner;
import io.rampart.reconcile.CheckedXtables;
import io.rampart.reconcile.Xtables;
import io.rampart.syntax.KernelModel;
import io.rampart.system.Netns;
import io.rampart.system.SystemException;
import io.rampart.trace.Host;
import io.rampart.trace.TraceInputException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What stands between an apply and the kernel's write: the lockout guard for the SSH session the
 * apply runs in, and, with a confirmation window, the rollback armed around the write. The command
 * line and the HTTP API apply through it alike.
 */
public final class SafeApply {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})([smh]?)");

    private final Confirmations confirmations;
    private final Duration window;
    private final String sshConnection;
    private final List<OutgoingConnection> outgoing;
    private final HostNames names;
    private State armed;

    /**
     * @param window        how long the apply waits for confirmation before it rolls back; null for no confirmation
     * @param sshConnection the {@code SSH_CONNECTION} whose session must survive the apply; null to skip the check
     * @param names         the names the kernel's text is read with, for the guard's trace
     */
    public SafeApply(Confirmations confirmations, Duration window, String sshConnection, HostNames names) {
        this(confirmations, window, sshConnection, List.of(), names);
    }

    /** With {@code outgoing}: connections this host opens that must survive the apply too. */
    public SafeApply(Confirmations confirmations, Duration window, String sshConnection,
                     List<OutgoingConnection> outgoing, HostNames names) {
        this.names = names;
        this.confirmations = confirmations;
        this.window = window;
        this.sshConnection = sshConnection;
        this.outgoing = List.copyOf(outgoing);
    }

    /** A confirmation window such as {@code 60s}, {@code 2m} or plain seconds; a bad one is refused naming {@code name}. */
    public static Duration window(String name, String value) {
        Matcher matcher = DURATION.matcher(value.strip());
        if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0) {
            throw new Failure(Failure.Category.INPUT, name + ": `" + value
                    + "' is no duration: use e.g. 60s, 2m or plain seconds");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofSeconds(amount);
        };
    }

    /** The kernel, with the lockout guard before its write and, with a window, the rollback armed around it. */
    public Xtables guard(Xtables kernel, DesiredState desired, Netns netns) {
        return new CheckedXtables(kernel, around(desired, netns));
    }

    /** What {@link #guard} does around the write of {@code desired}, for a caller that keeps its own kernel. */
    public CheckedXtables.Guard around(DesiredState desired, Netns netns) {
        return (saved, script, write) -> {
            checkConnections(saved, script, desired, netns);
            if (window == null) {
                return write.get();
            }
            if (armed != null) {
                // The apply plans again after its armed write: that write awaits confirmation as it is.
                throw new SystemException("other programs changed the rules while this apply wrote them; what it"
                        + " wrote awaits confirmation as it is: `rampart confirm' keeps it, `rampart rollback' undoes"
                        + " it, and apply again afterwards");
            }
            State arming = confirmations.arm(UUID.randomUUID().toString(), window, desired.source(), saved,
                    replan(desired, saved, script));
            Confirmations.ArmedWrite written = confirmations.writeArmed(arming.id(), write);
            armed = written.state();
            return written.result();
        };
    }

    /** The confirmation the write armed, while the apply awaits it. */
    public Optional<State> armed() {
        return Optional.ofNullable(armed);
    }

    /** Refuses before the write when the rules after it would drop the SSH session or an outgoing connection. */
    private void checkConnections(String saved, String script, DesiredState desired, Netns netns) {
        Optional<LockoutGuard.SshSession> session = sshConnection == null ? Optional.empty()
                : LockoutGuard.SshSession.parse(sshConnection).filter(s -> s.family() == desired.family());
        if (session.isEmpty() && outgoing.isEmpty()) {
            return;
        }
        String after;
        try {
            after = KernelModel.after(saved, script);
        } catch (KernelModel.Refused refused) {
            return; // the kernel refuses the whole script too, and the apply reports that with its file:line
        }
        Host host;
        try {
            host = LiveHost.read(netns, desired.family());
        } catch (TraceInputException e) {
            throw new Failure(Failure.Category.INPUT, "the lockout guard cannot read the host's addresses: "
                    + e.getMessage() + (session.isPresent() ? "; --force skips the check" : ""));
        }
        session.ifPresent(s -> LockoutGuard.check(s, after, desired, host, names));
        outgoing.forEach(connection -> LockoutGuard.check(connection, after, desired, host, names));
    }

    /** The plan behind {@code script}, for the rollback: the planner gives the same plan for the same dump. */
    private static Plan replan(DesiredState desired, String saved, String script) {
        try {
            Plan plan = new Planner(StandardExtensions.registry()).plan(desired, LiveState.parse(saved));
            if (!plan.script().equals(script)) {
                throw new IllegalStateException("the plan for the rollback differs from the one applied");
            }
            return plan;
        } catch (PlanException e) {
            throw new IllegalStateException("the applied plan cannot be planned again: " + e.getMessage(), e);
        }
    }
}
