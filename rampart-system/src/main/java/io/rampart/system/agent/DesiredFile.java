package io.rampart.system.agent;

import io.rampart.reconcile.DesiredState;

import java.nio.file.Path;
import java.util.Set;

/** Reads the ruleset file the agent enforces, each time it changes. */
@FunctionalInterface
public interface DesiredFile {

    DesiredState read() throws InvalidFileException;

    /**
     * What the last {@link #read}, also a failed one, depended on besides the file itself: the files
     * it included and the directories its include globs listed. A change to any of them is a change.
     */
    default Set<Path> inputs() {
        return Set.of();
    }
}
