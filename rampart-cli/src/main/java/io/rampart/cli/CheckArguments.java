package io.rampart.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The plain forms of {@code rampart check}'s arguments (its options, each at most once, and one
 * file), read without picocli. {@code check} runs from editors and commit hooks, on small files,
 * and picocli's model of a command, built by reflection from class files too old for the JVM's
 * class caches to hold, costs more than checking such a file. {@link CheckCommand} stays the one
 * definition of the arguments: its help, man page and completions, and every other form (help,
 * mistakes, clustered or repeated options, {@code @file}s, {@code --}), which these give to picocli.
 * {@code CheckArgumentsTest} holds the two to the same fields and the same run.
 */
final class CheckArguments {

    private CheckArguments() {
    }

    /**
     * The command set up as picocli sets it up for {@code args} ({@code check} first), or empty when
     * they are not of a plain form and picocli must read them.
     */
    static Optional<CheckCommand> read(String[] args) {
        if (args.length < 2 || !args[0].equals("check") || repeats(args)) {
            return Optional.empty();
        }
        CheckCommand command = new CheckCommand();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case CheckCommand.IPV4 -> command.ipv4 = true;
                case CheckCommand.IPV6 -> command.ipv6 = true;
                case CheckCommand.JSON -> command.json = true;
                case CheckCommand.EXPAND -> command.expand = true;
                case CheckCommand.NO_DEAD_RULES -> command.noDeadRules = true;
                default -> {
                    if (command.file != null || !plainFile(args[i])) {
                        return Optional.empty();
                    }
                    try {
                        command.file = Path.of(args[i]);
                    } catch (InvalidPathException e) {
                        return Optional.empty();
                    }
                }
            }
        }
        return command.file == null ? Optional.empty() : Optional.of(command);
    }

    /** Whether a word comes twice: picocli refuses a repeated option, and a second file. */
    static boolean repeats(String[] args) {
        for (int i = 1; i < args.length; i++) {
            for (int j = i + 1; j < args.length; j++) {
                if (args[i].equals(args[j])) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A word picocli reads as a file name and nothing else: not an option, {@code --} or an {@code @file}. */
    private static boolean plainFile(String arg) {
        return !arg.isEmpty() && arg.charAt(0) != '-' && arg.charAt(0) != '@';
    }
}
