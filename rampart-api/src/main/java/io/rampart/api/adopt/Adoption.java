package io.rampart.api.adopt;

import io.rampart.model.Family;
import io.rampart.model.Table;
import java.util.List;

/**
 * What adopting the kernel's rules into a ruleset file comes to: the edits to the main file, the
 * differences the file cannot express (shown, never guessed), and the file's text before and after.
 *
 * @param file      the main file, as its rules' locations name it
 * @param original  its text now
 * @param adopted   its text with {@code changes} made; equal to {@code original} when there are none
 */
public record Adoption(String file, String original, String adopted, List<Change> changes,
                       List<Unexpressed> unexpressed) {

    public Adoption {
        changes = List.copyOf(changes);
        unexpressed = List.copyOf(unexpressed);
    }

    /** Whether the file, once {@code adopted} is written, says what the kernel holds. */
    public boolean complete() {
        return unexpressed.isEmpty();
    }

    public boolean isEmpty() {
        return changes.isEmpty() && unexpressed.isEmpty();
    }

    /** The kinds of edit, one per difference. */
    public enum Kind {
        /** A rule the kernel has and the file does not: a line inserted next to its neighbours'. */
        INSERT,
        /** A rule the file has and the kernel does not: its line becomes a comment. */
        DELETE,
        /** A rule the kernel holds in place of the file's: the line is rewritten. */
        REPLACE,
        /** A built-in chain's policy: the declaration's policy word is rewritten. */
        POLICY
    }

    /**
     * One edit, at {@code line} of the original file (for INSERT: the line it goes after, 0 for the top).
     *
     * @param position the rule's 1-based position in the kernel's chain (for DELETE: in the file's)
     * @param before   the file's rule or policy, null for INSERT
     * @param after    the kernel's rule or policy as written into the file, null for DELETE
     */
    public record Change(int line, Kind kind, Family family, Table table, String chain, int position,
                         String before, String after) {
    }

    /**
     * A difference the file cannot take as an edit of one of its lines.
     *
     * @param where {@code file:line} of the file's line involved, or null
     * @param what  the difference, e.g. {@code the kernel has no rule 2 -A SERVICES ...}
     * @param why   why it is not written, e.g. {@code the line makes 2 rules (a list)}
     */
    public record Unexpressed(String where, Family family, Table table, String chain, String what, String why) {
    }
}
