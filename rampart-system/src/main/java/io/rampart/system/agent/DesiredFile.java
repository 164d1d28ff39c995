package io.rampart.system.agent;

import io.rampart.reconcile.DesiredState;

import java.nio.file.Path;
import java.util.Map;
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

    /**
     * The bytes of {@code files} as the agent compares them to tell a change (a directory's: its
     * entries' names), of those that can be read now.
     */
    static Map<Path, byte[]> contentsOf(Set<Path> files) {
        return InPlaceEdits.contentsOf(files);
    }
}
