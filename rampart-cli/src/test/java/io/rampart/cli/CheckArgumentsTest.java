package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@link CheckArguments} reads {@code check}'s plain arguments without picocli: it must read every
 * option of {@link CheckCommand}'s model, set the command up exactly as picocli does for whatever it
 * reads, and leave everything else to picocli; the run is then the same either way.
 */
class CheckArgumentsTest {

    private static final String GOOD = """
            *filter
            :INPUT DROP [0:0]
            -A INPUT -i lo -j ACCEPT
            -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
            -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
            COMMIT
            """;
    private static final String BAD = """
            *filter
            :INPUT DROP [0:0]
            -A INPUT -p tcp --dprot 22 -j ACCEPT
            COMMIT
            """;

    /** check alone, inside the top level, as Main's picocli runs build it. */
    private final CommandLine picocli = new CommandLine(new Main()).addSubcommand("check", CheckCommand.class);

    @TempDir
    Path dir;

    private String good;
    private String bad;

    @BeforeEach
    void files() throws IOException {
        good = TestFiles.write(dir, "good.rules", GOOD);
        bad = TestFiles.write(dir, "bad.rules", BAD);
    }

    @Test
    void everyOptionOfTheCommandIsReadWithoutPicocliExceptHelp() {
        CommandSpec check = picocli.getSubcommands().get("check").getCommandSpec();
        assertThat(check.positionalParameters()).hasSize(1);
        for (OptionSpec option : check.options()) {
            for (String name : option.names()) {
                boolean help = option.usageHelp() || option.versionHelp();
                assertThat(CheckArguments.read(new String[] {"check", name, good})).as(name)
                        .matches(read -> read.isPresent() != help);
            }
        }
    }

    @Test
    void everyOrderOfTheOptionsAndTheFileIsReadAsPicocliReadsIt() {
        List<String> words = new ArrayList<>(List.of(good));
        picocli.getSubcommands().get("check").getCommandSpec().options().stream()
                .filter(option -> !option.usageHelp() && !option.versionHelp())
                .forEach(option -> words.addAll(List.of(option.names())));
        for (List<String> order : permutations(words)) {
            String[] args = withCheck(order);
            assertThat(CheckArguments.read(args)).as(String.join(" ", args)).isPresent();
            assertSameAsPicocli(args);
        }
    }

    @Test
    void whatItReadsPicocliReadsTheSameAndTheRestIsLeftToPicocli() {
        List<String> words = new ArrayList<>(List.of(good, bad, "--", "@" + good, "-46", "-4", "-6", "--json",
                "--json=true", "--expand", "--no-dead-rules", "--no-dead", "--JSON", "-", "", "-x", "-h", "--help",
                "-V", "--version", "help"));
        List<List<String>> lists = new ArrayList<>();
        List<List<String>> shorter = List.of(List.of());
        for (int length = 1; length <= 3; length++) {
            List<List<String>> longer = new ArrayList<>();
            for (List<String> list : shorter) {
                for (String word : words) {
                    List<String> next = new ArrayList<>(list);
                    next.add(word);
                    longer.add(next);
                }
            }
            lists.addAll(longer);
            shorter = longer;
        }
        int read = 0;
        for (List<String> list : lists) {
            String[] args = withCheck(list);
            if (CheckArguments.read(args).isPresent()) {
                read++;
                assertSameAsPicocli(args);
            }
        }
        assertThat(read).isGreaterThan(100);
    }

    @Test
    void aRunIsTheSameWithAndWithoutPicocli() {
        List<String[]> runs = List.of(new String[] {"check", good}, new String[] {"check", "--json", good},
                new String[] {"check", "--expand", good}, new String[] {"check", good, "--no-dead-rules"},
                new String[] {"check", "-6", good}, new String[] {"check", "-4", "-6", good},
                new String[] {"check", bad}, new String[] {"check", "--json", bad}, new String[] {"check", "--expand", bad},
                new String[] {"check", dir.resolve("missing.rules").toString()});
        for (String[] args : runs) {
            assertThat(CheckArguments.read(args)).as(String.join(" ", args)).isPresent();
            assertThat(run(args, false)).as(String.join(" ", args)).isEqualTo(run(args, true));
        }
    }

    /** The fields {@code args} set, read by CheckArguments and by picocli, are the same. */
    private void assertSameAsPicocli(String[] args) {
        Optional<CheckCommand> direct = CheckArguments.read(args);
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
        assertThat(fields(direct.orElseThrow())).as(String.join(" ", args))
                .isEqualTo(fields((CheckCommand) sub.commandSpec().userObject()));
    }

    /** The values of the command's options and parameters, by field name. */
    private static Map<String, Object> fields(CheckCommand command) {
        Map<String, Object> values = new TreeMap<>();
        for (Field field : CheckCommand.class.getDeclaredFields()) {
            if (field.isAnnotationPresent(Option.class) || field.isAnnotationPresent(Parameters.class)) {
                try {
                    values.put(field.getName(), String.valueOf(field.get(command)));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        assertThat(values).hasSizeGreaterThan(1);
        return values;
    }

    /** Exit code, stdout and stderr of {@code args} run by Main, or with picocli reading them. */
    private static List<Object> run(String[] args, boolean withPicocli) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        ByteArrayInputStream in = new ByteArrayInputStream(new byte[0]);
        int code = withPicocli ? Main.withPicocli(args, in, o, e, Map.of()) : Main.run(args, in, o, e, Map.of());
        return List.of(code, out.toString(), err.toString());
    }

    private static String[] withCheck(List<String> words) {
        List<String> args = new ArrayList<>(List.of("check"));
        args.addAll(words);
        return args.toArray(String[]::new);
    }

    private static List<List<String>> permutations(List<String> words) {
        if (words.isEmpty()) {
            return List.of(List.of());
        }
        List<List<String>> all = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            List<String> rest = new ArrayList<>(words);
            String first = rest.remove(i);
            for (List<String> tail : permutations(rest)) {
                List<String> order = new ArrayList<>(List.of(first));
                order.addAll(tail);
                all.add(order);
            }
        }
        return all;
    }
}
