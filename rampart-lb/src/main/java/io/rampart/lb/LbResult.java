package io.rampart.lb;

import io.rampart.reconcile.Reconciler;
import java.util.List;

/**
 * What one invocation did.
 *
 * @param messages what to tell the user, one line each
 * @param applied  one reconcile per address family touched, in order; empty without {@code -run}
 * @param stateWritten whether the state file was replaced
 */
public record LbResult(List<String> messages, List<Reconciler.Applied> applied, boolean stateWritten) {

    public LbResult {
        messages = List.copyOf(messages);
        applied = List.copyOf(applied);
    }
}
