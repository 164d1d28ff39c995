package io.rampart.config;

/**
 * Whether the include statements of a ruleset may read files. Text that comes from elsewhere than
 * a file of the machine (a request, say) must not reach the machine's files through them.
 *
 * @param refusal what an include is told when it may not read files; null when includes are followed
 */
public record IncludePolicy(String refusal) {

    /** Includes read the files they name, relative to the including file. */
    public static final IncludePolicy FOLLOW = new IncludePolicy(null);

    /** Every include is an error at its line and column, saying {@code why}. */
    public static IncludePolicy refuse(String why) {
        if (why == null || why.isBlank()) {
            throw new IllegalArgumentException("a refusal says why");
        }
        return new IncludePolicy(why);
    }

    boolean follows() {
        return refusal == null;
    }
}
