package io.rampart.model;

import java.util.Objects;

/**
 * Why a command failed, as data: its {@link Category} (which decides the exit code and the HTTP
 * status), where in the input it lies when that is known, and what would be right when that is
 * known. Every module throws this type or a subclass of it; the command line and the HTTP server
 * each turn it into their answer in one place.
 */
public class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The kinds of failure, with the exit code each has (see the command-line contract). */
    public enum Category {
        /** The input is wrong: a rule, a file, a flag value, a request. */
        INPUT(1),
        /** The command was called wrongly. */
        USAGE(2),
        /** The kernel does not hold what it should. */
        DRIFT(3),
        /** The system refused or lacks something: kernel, iptables, lock, root. */
        SYSTEM(4);

        private final int exitCode;

        Category(int exitCode) {
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    /**
     * A place in the input: {@code file} may be null (a rule given alone), {@code line} and
     * {@code column} count from 1, 0 when unknown.
     */
    public record Location(String file, int line, int column) {
        public static Location column(int column) {
            return new Location(null, 0, column);
        }
    }

    private final Category category;
    private final String problem;
    private final String hint;
    private final Location location;

    public Failure(Category category, String message) {
        this(category, message, null, null, null, true);
    }

    public Failure(Category category, String message, Throwable cause) {
        this(category, message, null, null, cause, true);
    }

    /**
     * {@code problem} says what is wrong, {@code hint} (or null) what would be right; the message is
     * both, the hint in parentheses. {@code stackTrace} false for the user's mistakes, which the
     * message says all of (and which parsers throw on hot paths).
     */
    protected Failure(Category category, String problem, String hint, Location location, Throwable cause,
                      boolean stackTrace) {
        super(hint == null ? problem : problem + " (" + hint + ")", cause, true, stackTrace);
        this.category = Objects.requireNonNull(category);
        this.problem = problem;
        this.hint = hint;
        this.location = location;
    }

    /** An input failure without a stack trace: what is wrong, what would be right (or null). */
    public static Failure input(String problem, String hint) {
        return new Failure(Category.INPUT, problem, hint, null, null, false);
    }

    public Category category() {
        return category;
    }

    /** What is wrong, without the hint. */
    public String problem() {
        return problem;
    }

    /** What would be right ("did you mean --dport?"), or null. */
    public String hint() {
        return hint;
    }

    /** Where in the input, or null. */
    public Location location() {
        return location;
    }
}
