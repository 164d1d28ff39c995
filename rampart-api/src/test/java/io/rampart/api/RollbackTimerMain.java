package io.rampart.api;

import io.rampart.model.Failure;
import io.rampart.model.Family;
import io.rampart.system.ProcessRunner;
import java.util.List;

/**
 * The rollback timer for servers under test, where the command line is not on the class path:
 * {@code rollback-timer --id ID [--netns NAME] -4|-6}, as the command line's hidden command takes it.
 */
public final class RollbackTimerMain {

    private RollbackTimerMain() {
    }

    public static void main(String[] args) {
        List<String> given = List.of(args);
        if (given.size() < 3 || !given.get(0).equals(Confirmations.TIMER) || !given.get(1).equals("--id")) {
            throw new IllegalArgumentException("usage: rollback-timer --id ID [--netns NAME] -4|-6");
        }
        int netnsAt = given.indexOf("--netns");
        String netns = netnsAt < 0 ? null : given.get(netnsAt + 1);
        Family family = given.contains("-6") ? Family.IPV6 : Family.IPV4;
        PendingConfirmation.Target target = new PendingConfirmation.Target(netns, family);
        try {
            new Confirmations(PendingConfirmation.of(target), ProcessRunner.system(),
                    RollbackTimerMain.class.getName()).runTimer(given.get(2));
        } catch (Failure logged) {
            System.exit(logged.category().exitCode()); // the log has it, as the command line's timer leaves it
        }
    }
}
