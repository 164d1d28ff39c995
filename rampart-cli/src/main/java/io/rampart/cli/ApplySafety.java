package io.rampart.cli;

import io.rampart.api.Confirmations;
import io.rampart.api.PendingConfirmation;
import io.rampart.api.PendingConfirmation.State;
import io.rampart.api.PendingConfirmation.Target;
import io.rampart.api.Reconciliation;
import io.rampart.api.SafeApply;
import io.rampart.reconcile.DesiredState;
import io.rampart.system.ProcessRunner;
import io.rampart.system.WriterLock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * What makes apply safe over SSH: {@code --confirm} (roll back unless confirmed in time) and the
 * lockout guard that {@code --force} overrides. Both act just before the kernel is written.
 */
final class ApplySafety implements ReadsStdin, ReadsEnvironment {

    static final String CONFIRM = "--confirm";
    static final String FORCE = "--force";

    @Option(names = CONFIRM, paramLabel = "DURATION",
            description = "Roll back to the rules before this apply unless `rampart confirm' runs (or y is answered"
                    + " at the prompt) within DURATION: 60s, 2m or plain seconds.")
    String confirm;

    @Option(names = FORCE, description = "Apply even when the ruleset would drop the SSH session"
            + " this command runs in (SSH_CONNECTION).")
    boolean force;

    private InputStream stdin = System.in;
    private Map<String, String> environment = System.getenv();

    @Override
    public void setStdin(InputStream in) {
        stdin = in;
    }

    @Override
    public void setEnvironment(Map<String, String> environment) {
        this.environment = environment;
    }

    /** The --confirm duration, or null without it; a bad value is refused naming the flag. */
    Duration confirmWindow() {
        return confirm == null ? null : SafeApply.window("--confirm", confirm);
    }

    /**
     * The safety of this apply: the --confirm window, the lockout guard for this command's SSH session
     * unless --force, this program as the rollback timer; {@code waiting} for other writers, and
     * {@code beforeKernel} to check the desired state before the kernel is read.
     */
    Reconciliation.Safety of(WriterLock.Waiting waiting, Consumer<DesiredState> beforeKernel) {
        return new Reconciliation.Safety(confirmWindow(), force ? null : environment.get("SSH_CONNECTION"),
                Main.class.getName(), waiting, beforeKernel);
    }

    /**
     * After the apply's report: on a terminal, asks whether to keep the rules until the deadline;
     * otherwise says how to confirm. Returns the exit code: 1 when the rules were rolled back.
     */
    int afterApply(Optional<State> armedByApply, Target target, boolean json, PrintWriter out) {
        State armed = armedByApply.orElse(null);
        if (armed == null || json) {
            return ExitCode.OK;
        }
        if (System.console() == null || stdin != System.in) {
            out.printf("awaiting confirmation: rolls back at %s (in %d s) unless `rampart confirm%s' runs;"
                    + " `rampart rollback%s' rolls back now%n", armed.deadline().truncatedTo(ChronoUnit.SECONDS), secondsLeft(armed),
                    target.flags(),
                    target.flags());
            out.flush();
            return ExitCode.OK;
        }
        Confirmations confirmations = new Confirmations(PendingConfirmation.of(target), ProcessRunner.system(),
                Main.class.getName());
        Answer answer = ask(stdin, out, armed, confirmations);
        out.println();
        switch (answer) {
            case YES -> {
                boolean kept = confirmations.confirm().isPresent();
                out.println(kept ? "confirmed: keeping the new rules" : "too late: the rules were rolled back");
                return kept ? ExitCode.OK : ExitCode.BAD_INPUT;
            }
            case ENDED -> {
                out.println("the confirmation ended in another shell (rampart confirm or rollback)");
                return ExitCode.OK;
            }
            default -> {
                Optional<State> rolled = confirmations.rollBack(answer == Answer.NONE ? "no answer at the prompt"
                        : "not confirmed at the prompt", armed.id());
                out.println(rolled.isPresent() ? "rolled back to the rules before this apply"
                        : "rolled back by the timer at the deadline");
                return ExitCode.BAD_INPUT;
            }
        }
    }

    /** What happened at the prompt. */
    private enum Answer { YES, NO, NONE, ENDED }

    private static Answer ask(InputStream in, PrintWriter out, State armed, Confirmations confirmations) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                String read = reader.readLine();
                return read == null ? "" : read.strip().toLowerCase(Locale.ROOT);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        while (secondsLeft(armed) > 0) {
            if (!confirmations.isPending(armed.id())) {
                return Answer.ENDED;
            }
            out.printf("\rkeep the new rules? rolling back in %3d s [y/N] ", secondsLeft(armed));
            out.flush();
            try {
                String answer = line.get(1, TimeUnit.SECONDS);
                return answer.equals("y") || answer.equals("yes") ? Answer.YES : Answer.NO;
            } catch (TimeoutException e) {
                // the countdown goes on
            } catch (ExecutionException e) {
                return Answer.NO;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Answer.NO;
            }
        }
        return Answer.NONE;
    }

    private static long secondsLeft(State armed) {
        return Math.max(0, (Duration.between(Instant.now(), armed.deadline()).toMillis() + 999) / 1000);
    }
}
