package io.rampart.system.agent;

import io.rampart.reconcile.DesiredState;

/** Reads the ruleset file the agent enforces, each time it changes. */
@FunctionalInterface
public interface DesiredFile {

    DesiredState read() throws InvalidFileException;
}
