package io.rampart.trace;

import java.util.List;

/**
 * One event of the kernel's trace: a rule that matched, with the verdict it gave, or a built-in
 * chain's policy ({@code rule} null).
 *
 * @param verdict as the kernel's trace names it: CONTINUE, ACCEPT, DROP, RETURN, JUMP:chain, GOTO:chain
 * @param source where the rule was written, {@code file:line} (through includes and macros), or null
 *     for a policy or a rule of the live ruleset
 * @param passed with --explain, the rules before this step that did not match, and why
 */
public record Step(String table, String chain, Integer rule, String text, String verdict, String source,
                   List<Miss> passed) {

    /** A rule that did not match, and the first of its conditions that failed. */
    public record Miss(String table, String chain, int rule, String text, String source, String failed) {
    }

    public Step {
        passed = List.copyOf(passed);
    }

    public boolean isPolicy() {
        return rule == null;
    }
}
