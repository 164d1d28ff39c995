package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.cli.ReconcileCommands.FileCommand;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@link FileArguments} reads the plain arguments of plan, apply and status without picocli: it must
 * read every option of each command's model, set the command up exactly as picocli does for whatever
 * it reads, and leave everything else to picocli; the run is then the same either way (on a kernel:
 * {@code ReconcileCliKernelTest}).
 */
class FileArgumentsTest {

    private static final List<String> COMMANDS = List.of("plan", "apply", "status");
    private static final InputStream STDIN = new ByteArrayInputStream(new byte[0]);
    private static final Map<String, String> ENVIRONMENT = Map.of("SSH_CONNECTION", "192.0.2.1 5000 192.0.2.2 22");

    @TempDir
    Path dir;

    private String file;
    private String other;

    @BeforeEach
    void files() throws IOException {
        file = TestFiles.write(dir, "host.rules", "*filter\n:INPUT DROP [0:0]\nCOMMIT\n");
        other = TestFiles.write(dir, "fallback.rules", "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n");
    }

    /** Each command alone inside the top level, as Main's picocli runs build it; picocli resets it for each parse. */
    private final Map<String, CommandLine> models = new TreeMap<>();

    private CommandLine picocli(String command) {
        return models.computeIfAbsent(command, name -> new CommandLine(new Main())
                .addSubcommand(name, Main.COMMANDS.get(name)));
    }

    @Test
    void everyOptionOfEachCommandIsReadWithoutPicocliExceptHelp() {
        for (String command : COMMANDS) {
            CommandSpec spec = picocli(command).getSubcommands().get(command).getCommandSpec();
            assertThat(spec.positionalParameters()).hasSize(1);
            for (OptionSpec option : spec.options()) {
                boolean help = option.usageHelp() || option.versionHelp();
                for (String name : option.names()) {
                    List<String> args = new ArrayList<>(List.of(command, name));
                    if (option.arity().max() > 0) {
                        args.add(valueOf(name));
                    }
                    args.add(file);
                    assertThat(read(args.toArray(String[]::new))).as(String.join(" ", args))
                            .matches(read -> read.isPresent() != help);
                }
            }
        }
    }

    @Test
    void allOptionsAtOnceInEitherOrderAreReadAsPicocliReadsThem() {
        for (String command : COMMANDS) {
            List<List<String>> units = new ArrayList<>();
            units.add(List.of(file));
            picocli(command).getSubcommands().get(command).getCommandSpec().options().stream()
                    .filter(option -> !option.usageHelp() && !option.versionHelp())
                    .filter(option -> !option.longestName().equals(ReconcileCommands.ApplyCommand.FALLBACK))
                    .forEach(option -> units.add(option.arity().max() > 0
                            ? List.of(option.longestName(), valueOf(option.longestName()))
                            : List.of(option.longestName())));
            for (int rotation = 0; rotation < units.size(); rotation++) {
                for (boolean reversed : List.of(false, true)) {
                    List<List<String>> order = new ArrayList<>(units.subList(rotation, units.size()));
                    order.addAll(units.subList(0, rotation));
                    if (reversed) {
                        Collections.reverse(order);
                    }
                    List<String> args = new ArrayList<>(List.of(command));
                    order.forEach(args::addAll);
                    String[] words = args.toArray(String[]::new);
                    assertThat(read(words)).as(String.join(" ", words)).isPresent();
                    assertSameAsPicocli(words);
                }
            }
        }
    }

    @Test
    void whatItReadsPicocliReadsTheSameAndTheRestIsLeftToPicocli() {
        List<String> words = List.of(file, other, "--", "@" + file, "-46", "-4", "-6", "--json", "--json=true",
                "--debug", "--netns", "ns", "--netns=ns", "--force", "--no-memo", "--wait", "5", "-1", "0x10", "--confirm", "60s",
                "--fallback", "--expect", "-h", "--help", "-V", "help", "", "-");
        int read = 0;
        for (String command : COMMANDS) {
            List<List<String>> shorter = List.of(List.of());
            for (int length = 1; length <= 4; length++) {
                List<List<String>> longer = new ArrayList<>();
                for (List<String> list : shorter) {
                    for (String word : words) {
                        List<String> next = new ArrayList<>(list);
                        next.add(word);
                        longer.add(next);
                    }
                }
                for (List<String> list : longer) {
                    List<String> args = new ArrayList<>(List.of(command));
                    args.addAll(list);
                    String[] array = args.toArray(String[]::new);
                    if (read(array).isPresent()) {
                        read++;
                        assertSameAsPicocli(array);
                    }
                }
                shorter = longer;
            }
        }
        assertThat(read).isGreaterThan(1000);
    }

    @Test
    void theOtherCommandsAndFallbackWithConfirmAreLeftToPicocli() {
        assertThat(read(new String[] {"check", file})).isEmpty();
        assertThat(read(new String[] {"save", "--netns", "ns"})).isEmpty();
        assertThat(read(new String[] {"apply", "--fallback", other, "--confirm", "60s", file})).isEmpty();
        assertThat(read(new String[] {"plan", "--force", file})).isEmpty();
        assertThat(read(new String[] {"apply"})).isEmpty();
    }

    @Test
    void aRunIsTheSameWithAndWithoutPicocli() {
        String missing = "rampart-missing-" + ProcessHandle.current().pid();
        List<String[]> runs = new ArrayList<>();
        for (String command : COMMANDS) {
            runs.add(new String[] {command, "--netns", missing, file});
            runs.add(new String[] {command, "--json", "--netns", missing, file});
            runs.add(new String[] {command, "--netns", missing, "--debug", dir.resolve("missing.rules").toString()});
        }
        runs.add(new String[] {"apply", "--netns", missing, "--confirm", "soon", file});
        runs.add(new String[] {"apply", "--netns", missing, "--fallback", other, "--wait", "0", file});
        for (String[] args : runs) {
            assertThat(read(args)).as(String.join(" ", args)).isPresent();
            List<Object> direct = run(args, false);
            assertThat(direct.get(0)).as(String.join(" ", args)).isNotEqualTo(0);
            assertThat(direct).as(String.join(" ", args)).isEqualTo(run(args, true));
        }
    }

    private Optional<FileCommand> read(String[] args) {
        return FileArguments.read(args, STDIN, ENVIRONMENT);
    }

    private String valueOf(String option) {
        return switch (option) {
            case WriterWait.WAIT -> "7";
            case ApplySafety.CONFIRM -> "90s";
            case KernelOptions.NETNS -> "ns";
            default -> other;
        };
    }

    /** The fields {@code args} set, read by FileArguments and by picocli, are the same. */
    private void assertSameAsPicocli(String[] args) {
        FileCommand direct = read(args).orElseThrow();
        CommandLine picocli = picocli(args[0]);
        CommandLine.ParseResult parsed;
        try {
            parsed = picocli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new AssertionError(String.join(" ", args) + ": read without picocli, which refuses it: "
                    + e.getMessage(), e);
        }
        CommandLine.ParseResult sub = parsed.subcommand();
        assertThat(sub).as(String.join(" ", args)).isNotNull();
        assertThat(sub.isUsageHelpRequested() || sub.isVersionHelpRequested()).as(String.join(" ", args)).isFalse();
        assertThat(fields(direct)).as(String.join(" ", args)).isEqualTo(fields(sub.commandSpec().userObject()));
    }

    /** The values of the command's options and parameters, its mixins' too, by field name. */
    private static Map<String, Object> fields(Object command) {
        Map<String, Object> values = new TreeMap<>();
        collect(command, "", values);
        assertThat(values).hasSizeGreaterThan(5);
        return values;
    }

    private static void collect(Object object, String prefix, Map<String, Object> values) {
        for (Class<?> type = object.getClass(); type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                try {
                    if (field.isAnnotationPresent(Option.class) || field.isAnnotationPresent(Parameters.class)) {
                        values.put(prefix + field.getName(), String.valueOf(field.get(object)));
                    } else if (field.isAnnotationPresent(Mixin.class)) {
                        collect(field.get(object), prefix + field.getName() + ".", values);
                    }
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    /** Exit code, stdout and stderr of {@code args} run by Main, or with picocli reading them. */
    private static List<Object> run(String[] args, boolean withPicocli) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        int code = withPicocli ? Main.withPicocli(args, STDIN, o, e, ENVIRONMENT)
                : Main.run(args, STDIN, o, e, ENVIRONMENT);
        return List.of(code, out.toString(), err.toString());
    }
}
