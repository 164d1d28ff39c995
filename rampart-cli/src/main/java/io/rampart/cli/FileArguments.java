package io.rampart.cli;

import io.rampart.cli.ReconcileCommands.ApplyCommand;
import io.rampart.cli.ReconcileCommands.FileCommand;
import io.rampart.cli.ReconcileCommands.PlanCommand;
import io.rampart.cli.ReconcileCommands.StatusCommand;
import java.io.InputStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The plain forms of {@code plan}'s, {@code apply}'s and {@code status}'s arguments (their options,
 * each at most once, a value as the next word, and one file), read without picocli, as
 * {@link CheckArguments} reads {@code check}'s: picocli's model of a command, built by reflection
 * from class files too old for the JVM's class caches to hold, took a fifth of a no-op apply of
 * 10,000 rules. The commands' classes stay the one definition of their arguments, and every other
 * form (help, mistakes, clustered or repeated options, {@code --opt=value}, {@code @file}s,
 * {@code --}, {@code --fallback} with {@code --confirm}) is left to picocli.
 * {@code FileArgumentsTest} holds the two readings to the same fields and the same run.
 */
final class FileArguments {

    private FileArguments() {
    }

    /**
     * The command set up as picocli sets it up for {@code args} (the command's name first), with the
     * streams and environment Main's factory gives it, or empty when they are not of a plain form.
     */
    static Optional<FileCommand> read(String[] args, InputStream in, Map<String, String> environment) {
        if (args.length < 2 || CheckArguments.repeats(args)) {
            return Optional.empty();
        }
        FileCommand command = switch (args[0]) {
            case "plan" -> new PlanCommand();
            case "status" -> new StatusCommand();
            case "apply" -> new ApplyCommand();
            default -> null;
        };
        if (command == null) {
            return Optional.empty();
        }
        command.options = new KernelOptions();
        if (command instanceof ApplyCommand apply) {
            apply.safety = new ApplySafety();
            apply.safety.setStdin(in);
            apply.safety.setEnvironment(environment);
            apply.writerWait = new WriterWait();
        }
        for (int i = 1; i < args.length; i++) {
            String word = args[i];
            if (valued(command, word)) {
                if (i + 1 == args.length || !plain(args[i + 1]) || !set(command, word, args[++i])) {
                    return Optional.empty();
                }
            } else if (!flag(command, word)) {
                if (command.file != null || !plain(word) || path(word) == null) {
                    return Optional.empty();
                }
                command.file = path(word);
            }
        }
        if (command.file == null || command instanceof ApplyCommand apply && apply.fallback != null
                && apply.safety.confirm != null) {
            return Optional.empty();
        }
        return Optional.of(command);
    }

    /** Whether {@code word} is an option of {@code command} that takes the next word as its value. */
    private static boolean valued(FileCommand command, String word) {
        return switch (word) {
            case KernelOptions.NETNS -> true;
            case ApplySafety.CONFIRM, WriterWait.WAIT, ApplyCommand.FALLBACK, ApplyCommand.EXPECT ->
                    command instanceof ApplyCommand;
            default -> false;
        };
    }

    /** Sets the valued option {@code option} to {@code value}; false when picocli is to read it. */
    private static boolean set(FileCommand command, String option, String value) {
        if (option.equals(KernelOptions.NETNS)) {
            command.options.netns = value;
            return true;
        }
        ApplyCommand apply = (ApplyCommand) command;
        switch (option) {
            case ApplySafety.CONFIRM -> apply.safety.confirm = value;
            case WriterWait.WAIT -> {
                if (!value.matches("[0-9]{1,18}")) {
                    return false; // picocli's conversion and its message
                }
                apply.writerWait.seconds = Long.parseLong(value);
            }
            case ApplyCommand.FALLBACK -> apply.fallback = path(value);
            default -> apply.expect = path(value);
        }
        return path(value) != null;
    }

    /** Sets the flag {@code word} of {@code command}; false when it is none. */
    private static boolean flag(FileCommand command, String word) {
        KernelOptions options = command.options;
        switch (word) {
            case KernelOptions.IPV4 -> options.ipv4 = true;
            case KernelOptions.IPV6 -> options.ipv6 = true;
            case KernelOptions.JSON -> options.json = true;
            case KernelOptions.DEBUG -> options.debug = true;
            default -> {
                if (!(command instanceof ApplyCommand apply)) {
                    return false;
                }
                switch (word) {
                    case ApplySafety.FORCE -> apply.safety.force = true;
                    case ApplyCommand.NO_MEMO -> apply.noMemo = true;
                    default -> {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** A word picocli reads as a value or a file name and nothing else: not an option, {@code --} or an {@code @file}. */
    private static boolean plain(String word) {
        return !word.isEmpty() && word.charAt(0) != '-' && word.charAt(0) != '@';
    }

    private static Path path(String word) {
        if (word == null) {
            return null;
        }
        try {
            return Path.of(word);
        } catch (InvalidPathException e) {
            return null;
        }
    }
}
