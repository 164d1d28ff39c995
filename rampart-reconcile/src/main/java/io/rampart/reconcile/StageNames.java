package io.rampart.reconcile;

import io.rampart.model.Chain;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How staged rulesets are named in the kernel. A stage NAME keeps each chain of its file in a user
 * chain {@code RS.NAME.CHAIN}; a chain name that would make that longer than the kernel's 28
 * characters becomes {@code RS.NAME.~HASH}. A built-in chain is hooked to the stage by one rule,
 * {@code -A INPUT -j RS.NAME.INPUT}, and nothing else in the kernel looks like that.
 */
public final class StageNames {

    /** What every stage chain starts with. */
    public static final String PREFIX = "RS.";
    /** Short enough that a built-in chain's stage chain never needs a hash ({@code RS.} + 10 + {@code .POSTROUTING}). */
    public static final int MAX_NAME_LENGTH = 10;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_NAME_LENGTH + "}");
    private static final String HASHED = "~";

    private StageNames() {
    }

    /** Refuses a stage name the chain names could not carry. */
    public static void check(String name) throws PlanException {
        if (!NAME.matcher(name).matches()) {
            throw new PlanException("stage name `" + name + "': use 1 to " + MAX_NAME_LENGTH
                    + " letters, digits, `_' or `-'");
        }
    }

    /** The kernel chain that holds {@code chain} of stage {@code stage}. */
    public static String chain(String stage, String chain) {
        String plain = prefix(stage) + chain;
        if (plain.length() <= Chain.MAX_NAME_LENGTH && !chain.startsWith(HASHED)) {
            return plain;
        }
        return prefix(stage) + HASHED + Bookkeeping.fingerprint(chain);
    }

    /** What the names of all chains of stage {@code stage} start with. */
    static String prefix(String stage) {
        return PREFIX + stage + ".";
    }

    /** The rule that hooks {@code builtin} to the stage, as iptables-save prints it. */
    static String hook(String builtin, String stage) {
        return "-A " + builtin + " -j " + chain(stage, builtin);
    }

    /** The stage a rule of built-in chain {@code builtin} hooks, when the rule is a hook. */
    static Optional<String> hookedStage(String savedLine, String builtin) {
        String head = "-A " + builtin + " -j " + PREFIX;
        String tail = "." + builtin;
        if (!savedLine.startsWith(head) || !savedLine.endsWith(tail)) {
            return Optional.empty();
        }
        String stage = savedLine.substring(head.length(), savedLine.length() - tail.length());
        return NAME.matcher(stage).matches() ? Optional.of(stage) : Optional.empty();
    }
}
